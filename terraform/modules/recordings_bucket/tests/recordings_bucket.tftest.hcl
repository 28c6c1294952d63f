# `terraform test` with a mocked AWS provider: checks the plan, needs no AWS account.

mock_provider "aws" {}

variables {
  bucket_name = "vms-recordings-test"
}

run "bucket_is_private_versioned_and_encrypted" {
  command = plan

  assert {
    condition     = aws_s3_bucket_versioning.recordings.versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be enabled"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.recordings.block_public_acls,
      aws_s3_bucket_public_access_block.recordings.block_public_policy,
      aws_s3_bucket_public_access_block.recordings.ignore_public_acls,
      aws_s3_bucket_public_access_block.recordings.restrict_public_buckets,
    ])
    error_message = "all public access must be blocked"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.recordings.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "objects must be encrypted at rest (SSE-S3 without a KMS key)"
  }
}

run "lifecycle_moves_and_tidies_but_never_expires_current_segments" {
  command = plan

  assert {
    condition = [
      for t in one([for r in aws_s3_bucket_lifecycle_configuration.recordings.rule : r if r.id == "segments-to-cheaper-storage"]).transition :
      "${t.days}:${t.storage_class}"
    ] == ["30:STANDARD_IA", "90:GLACIER_IR"]
    error_message = "segments move to STANDARD_IA after 30 days and GLACIER_IR after 90"
  }

  assert {
    condition     = one(one([for r in aws_s3_bucket_lifecycle_configuration.recordings.rule : r if r.id == "abort-incomplete-uploads"]).abort_incomplete_multipart_upload).days_after_initiation == 1
    error_message = "incomplete multipart uploads are aborted after 1 day"
  }

  assert {
    condition     = one(one([for r in aws_s3_bucket_lifecycle_configuration.recordings.rule : r if r.id == "purge-deleted-versions"]).noncurrent_version_expiration).noncurrent_days == 7
    error_message = "noncurrent versions expire after 7 days"
  }

  assert {
    condition = alltrue([
      for r in aws_s3_bucket_lifecycle_configuration.recordings.rule :
      alltrue([for e in r.expiration : e.expired_object_delete_marker == true])
    ])
    error_message = "the only expiration removes expired delete markers: retention and evidence holds are the recorder's job"
  }
}

run "a_kms_key_switches_to_sse_kms" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.recordings.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "a KMS key means SSE-KMS"
  }
}

run "a_bad_bucket_name_is_refused" {
  command = plan

  variables {
    bucket_name = "Not_A_Bucket"
  }

  expect_failures = [var.bucket_name]
}
