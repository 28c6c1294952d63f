variable "prefix" {
  description = "Start of every secret's name, and the services' SECRETS_MANAGER_PREFIX: the secret of JWT_SECRET is \"<prefix>jwt-secret\"."
  type        = string
  default     = "vms/prod/"

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{1,400}$", var.prefix))
    error_message = "prefix may hold letters, digits and /_+=.@- only."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored: 0 deletes at once, else 7 to 30."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days is 0 or between 7 and 30."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Days before a scheduled deletion of the KMS key takes effect (7 to 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30
    error_message = "kms_deletion_window_in_days is between 7 and 30."
  }
}

variable "generation" {
  description = "Raise by one to generate every generated secret anew (the values are write-only: Terraform never stores them, so it cannot tell they changed)."
  type        = number
  default     = 1

  validation {
    condition     = var.generation >= 1 && floor(var.generation) == var.generation
    error_message = "generation is a whole number, 1 or more."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
