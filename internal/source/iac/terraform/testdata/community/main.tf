module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name = "prod"
  cidr = "10.0.0.0/16"

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_traffic_type                           = "REJECT"
  flow_log_cloudwatch_log_group_retention_in_days = 90
}

module "vpc_nolog" {
  source = "terraform-aws-modules/vpc/aws"
  name   = "sandbox"
}

resource "aws_security_group" "x" {
  vpc_id = module.vpc.vpc_id
}
