# `terraform test` against moto's server standing in for AWS (KMS and Secrets Manager, no AWS
# account): the module is applied for real, checked, and destroyed. The provider finds the
# server through AWS_ENDPOINT_URL:
#   .venv/bin/moto_server -H 127.0.0.1 -p 5000
#   AWS_ENDPOINT_URL=http://127.0.0.1:5000 terraform test
# (services/common/tests/test_secrets_terraform.py does both.) Mocked providers cannot stand in
# here: they do not support the ephemeral password generator.

variables {
  prefix                  = "vms/tftest/"
  recovery_window_in_days = 0
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test-not-a-key"
  secret_key                  = "test-not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

run "one_encrypted_secret_per_setting_named_as_the_services_read_them" {
  command = apply

  assert {
    condition = sort([for s in aws_secretsmanager_secret.this : s.name]) == sort([
      "vms/tftest/aws-access-key-id",
      "vms/tftest/aws-secret-access-key",
      "vms/tftest/database-password",
      "vms/tftest/detection-api-token",
      "vms/tftest/django-secret-key",
      "vms/tftest/jwt-secret",
      "vms/tftest/recorder-api-token",
      "vms/tftest/stream-publisher-password",
      "vms/tftest/stream-reader-password",
    ])
    error_message = "each setting has its secret, <prefix><setting-in-kebab-case>"
  }

  assert {
    condition     = alltrue([for s in aws_secretsmanager_secret.this : s.kms_key_id == aws_kms_key.secrets.arn])
    error_message = "every secret is encrypted with the module's KMS key"
  }

  assert {
    condition     = aws_kms_key.secrets.enable_key_rotation
    error_message = "the KMS key rotates"
  }

  assert {
    condition     = aws_kms_alias.secrets.name == "alias/vms-tftest-secrets"
    error_message = "the key's alias comes from the prefix"
  }

  assert {
    condition     = output.prefix == "vms/tftest/"
    error_message = "the prefix is the services' SECRETS_MANAGER_PREFIX"
  }
}

run "generated_values_are_write_only_and_the_aws_keys_left_to_the_operator" {
  command = apply

  assert {
    condition = sort(keys(aws_secretsmanager_secret_version.generated)) == sort([
      "DATABASE_PASSWORD", "DETECTION_API_TOKEN", "DJANGO_SECRET_KEY", "JWT_SECRET",
      "RECORDER_API_TOKEN", "STREAM_PUBLISHER_PASSWORD", "STREAM_READER_PASSWORD",
    ])
    error_message = "every secret but the AWS keys is generated"
  }

  assert {
    condition = alltrue([
      for v in aws_secretsmanager_secret_version.generated :
      v.secret_string == "" && v.has_secret_string_wo && v.secret_string_wo_version == 1
    ])
    error_message = "generated values go through secret_string_wo only: the state holds none"
  }

}

run "the_read_policy_names_exactly_these_secrets_and_their_key" {
  command = apply

  assert {
    condition     = sort(jsondecode(output.read_policy_json).Statement[0].Resource) == sort(values(output.secret_arns))
    error_message = "the services' policy reads exactly the module's secrets"
  }

  assert {
    condition     = jsondecode(output.read_policy_json).Statement[0].Action == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    error_message = "reading only: no write, no delete, no listing"
  }

  assert {
    condition     = jsondecode(output.read_policy_json).Statement[1].Resource == [output.kms_key_arn] && jsondecode(output.read_policy_json).Statement[1].Condition.StringEquals["kms:ViaService"] == "secretsmanager.eu-west-1.amazonaws.com"
    error_message = "the KMS key decrypts only through Secrets Manager"
  }

  assert {
    condition = sort(jsondecode(output.service_read_policy_json["recorder"]).Statement[0].Resource) == sort([
      output.secret_arns["RECORDER_API_TOKEN"], output.secret_arns["STREAM_READER_PASSWORD"],
      output.secret_arns["AWS_ACCESS_KEY_ID"], output.secret_arns["AWS_SECRET_ACCESS_KEY"],
    ])
    error_message = "the recorder reads only its token, the relay reader's password and the AWS keys"
  }

  assert {
    condition     = !contains(jsondecode(output.service_read_policy_json["detection"]).Statement[0].Resource, output.secret_arns["JWT_SECRET"])
    error_message = "the detection service cannot read the backend's JWT secret"
  }
}

run "bad_settings_are_refused" {
  command = plan

  variables {
    prefix                  = "vms prod"
    recovery_window_in_days = 3
  }

  expect_failures = [var.prefix, var.recovery_window_in_days]
}
