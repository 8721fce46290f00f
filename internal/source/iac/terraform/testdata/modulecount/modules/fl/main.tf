variable "vpc_id" {
  type = string
}

variable "traffic_type" {
  default = "REJECT"
}

resource "aws_flow_log" "this" {
  vpc_id               = var.vpc_id
  traffic_type         = var.traffic_type
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::central"
}
