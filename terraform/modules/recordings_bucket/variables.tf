variable "bucket_name" {
  description = "Name of the S3 bucket holding tiered recording segments (the recorder's S3_BUCKET)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
  }
}

variable "kms_key_arn" {
  description = "KMS key for server-side encryption; null uses S3-managed keys (SSE-S3, AES256)."
  type        = string
  default     = null
}

variable "standard_ia_after_days" {
  description = "Days after upload before a segment moves to STANDARD_IA."
  type        = number
  default     = 30
}

variable "glacier_ir_after_days" {
  description = "Days after upload before a segment moves to GLACIER_IR (instant retrieval, so playback still works)."
  type        = number
  default     = 90
}

variable "noncurrent_version_expiration_days" {
  description = "Days a deleted or overwritten segment version is kept before it is purged."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
