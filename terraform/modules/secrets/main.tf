# The VMS's secrets in AWS Secrets Manager, one secret per setting, named
# "<prefix><setting-in-kebab-case>": the services read them there when SECRETS_MANAGER_PREFIX is
# set to the same prefix (services/common/vms_common/secrets.py), from the environment otherwise.
#
# The generated values come from Secrets Manager's own generator as an ephemeral resource and
# are written through the write-only `secret_string_wo`: no value is ever in the code, the plan,
# the state or an output. Raising `generation` writes new ones.

terraform {
  required_version = ">= 1.11" # ephemeral resources and write-only arguments
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.83"
    }
  }
}

data "aws_region" "current" {}

locals {
  # setting -> length of its generated value (every one of them is at least 32 characters,
  # what the backend requires in production)
  generated = {
    DATABASE_PASSWORD         = 40
    DJANGO_SECRET_KEY         = 64
    JWT_SECRET                = 64
    RECORDER_API_TOKEN        = 48
    DETECTION_API_TOKEN       = 48
    STREAM_PUBLISHER_PASSWORD = 40
    STREAM_READER_PASSWORD    = 40
  }
  # the services' AWS keys, where they run outside AWS (S3 tiering, Rekognition): the module
  # creates the secrets without a value; the operator puts the keys of the services' IAM user
  # (`aws secretsmanager put-secret-value`), so they never pass through Terraform
  given = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]

  settings = concat(keys(local.generated), local.given)
  names    = { for s in local.settings : s => "${var.prefix}${replace(lower(s), "_", "-")}" }

  # what each service reads (least privilege: each gets a policy for its own secrets)
  readers = {
    backend   = ["DATABASE_PASSWORD", "DJANGO_SECRET_KEY", "JWT_SECRET", "RECORDER_API_TOKEN", "DETECTION_API_TOKEN", "STREAM_PUBLISHER_PASSWORD", "STREAM_READER_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
    recorder  = ["RECORDER_API_TOKEN", "STREAM_READER_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
    detection = ["DETECTION_API_TOKEN", "STREAM_READER_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
  }

  key_alias = "alias/${trim(replace(var.prefix, "/[^A-Za-z0-9_-]+/", "-"), "-")}-secrets"
}

resource "aws_kms_key" "secrets" {
  description             = "Encrypts the VMS secrets under ${var.prefix}"
  enable_key_rotation     = true # yearly, AWS's period
  deletion_window_in_days = var.kms_deletion_window_in_days
  tags                    = var.tags
}

resource "aws_kms_alias" "secrets" {
  name          = local.key_alias
  target_key_id = aws_kms_key.secrets.key_id
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.names

  name                    = each.value
  description             = "VMS ${each.key}"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = merge(var.tags, { "vms:setting" = each.key })
}

ephemeral "aws_secretsmanager_random_password" "generated" {
  for_each = local.generated

  password_length = each.value
  # letters and digits only: safe in URLs (rtsp://user:password@...), headers and shells
  exclude_punctuation        = true
  require_each_included_type = true
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each = local.generated

  secret_id                = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.generated[each.key].random_password
  secret_string_wo_version = var.generation
}

locals {
  read_statements = {
    for service, settings in merge(local.readers, { all = local.settings }) : service => [
      {
        Sid      = "ReadTheVmsSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = sort([for s in settings : aws_secretsmanager_secret.this[s].arn])
      },
      {
        Sid      = "DecryptThemThroughSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.secrets.arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "secretsmanager.${data.aws_region.current.name}.amazonaws.com" }
        }
      },
    ]
  }
}
