resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

locals {
  vpc_id  = aws_vpc.main.id
  traffic = upper("reject")
}

resource "aws_flow_log" "main" {
  vpc_id          = local.vpc_id
  traffic_type    = local.traffic
  log_group_name  = "/flow/${local.env}"
}

locals {
  env = "prod"
}
