# The bucket the recorder tiers segments to (key = path relative to RECORDINGS_ROOT:
# {tenant}/{camera}/{yyyy}/{mm}/{dd}/{hh}/segment_{start}.mp4).
#
# Retention is NOT a lifecycle rule here: the recorder deletes tiered segments when they pass
# their camera's retention, and only if no evidence hold covers them, and announces each
# deletion so the database stays true. A lifecycle expiration would delete held evidence and
# leave the database pointing at objects that are gone. The rules below only move objects to
# cheaper storage classes and tidy up versions and failed uploads.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

resource "aws_s3_bucket" "recordings" {
  bucket = var.bucket_name
  tags   = var.tags
}

resource "aws_s3_bucket_versioning" "recordings" {
  bucket = aws_s3_bucket.recordings.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "recordings" {
  bucket = aws_s3_bucket.recordings.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_public_access_block" "recordings" {
  bucket                  = aws_s3_bucket.recordings.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "recordings" {
  bucket = aws_s3_bucket.recordings.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "recordings" {
  bucket = aws_s3_bucket.recordings.id

  # Lifecycle rules on a versioned bucket need versioning in place first.
  depends_on = [aws_s3_bucket_versioning.recordings]

  rule {
    id     = "segments-to-cheaper-storage"
    status = "Enabled"
    filter {}

    transition {
      days          = var.standard_ia_after_days
      storage_class = "STANDARD_IA"
    }

    transition {
      days          = var.glacier_ir_after_days
      storage_class = "GLACIER_IR"
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "purge-deleted-versions"
    status = "Enabled"
    filter {}

    # A segment the recorder deleted (retention, after holds were checked) becomes a
    # noncurrent version; it is purged after a short grace period.
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  rule {
    id     = "remove-expired-delete-markers"
    status = "Enabled"
    filter {}

    expiration {
      expired_object_delete_marker = true
    }
  }
}
