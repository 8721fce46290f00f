output "vpc_id" {
  value = local.vpc_id
}

output "flow_log_id" {
  value = aws_flow_log.this.id
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.flow_logs.name
}

output "delivery_role_arn" {
  value = aws_iam_role.flow_logs.arn
}
