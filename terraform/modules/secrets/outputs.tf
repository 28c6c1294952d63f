# Names, ARNs and policies only: no output carries a secret's value.

output "prefix" {
  description = "Set as SECRETS_MANAGER_PREFIX for the backend, the recorder and the detection service."
  value       = var.prefix
}

output "secret_names" {
  description = "Setting (environment name) -> its secret's name in Secrets Manager."
  value       = local.names
}

output "secret_arns" {
  description = "Setting (environment name) -> its secret's ARN."
  value       = { for setting, secret in aws_secretsmanager_secret.this : setting => secret.arn }
}

output "kms_key_arn" {
  description = "The KMS key (yearly rotation) the secrets are encrypted with."
  value       = aws_kms_key.secrets.arn
}

output "read_policy_json" {
  description = "IAM policy reading exactly these secrets (GetSecretValue, DescribeSecret) and decrypting them through Secrets Manager, nothing else."
  value       = jsonencode({ Version = "2012-10-17", Statement = local.read_statements["all"] })
}

output "service_read_policy_json" {
  description = "The same, per service (backend, recorder, detection): each reads only the secrets it uses."
  value = {
    for service in keys(local.readers) :
    service => jsonencode({ Version = "2012-10-17", Statement = local.read_statements[service] })
  }
}
