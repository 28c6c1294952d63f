output "bucket_name" {
  description = "Set as S3_BUCKET for the recorder and the backend."
  value       = aws_s3_bucket.recordings.id
}

output "bucket_arn" {
  description = "For IAM policies granting the recorder s3:PutObject, GetObject, DeleteObject and ListBucket."
  value       = aws_s3_bucket.recordings.arn
}

output "bucket_regional_domain_name" {
  value = aws_s3_bucket.recordings.bucket_regional_domain_name
}
