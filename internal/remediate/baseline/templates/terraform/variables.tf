variable "create_vpc" {
  description = "Create a new VPC (cidr_block) with a flow log. Set false and pass vpc_id for an existing VPC."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "Existing VPC to give a flow log (with create_vpc = false)."
  type        = string
  default     = null
}

variable "name" {
  description = "Name of the new VPC, and suffix of the log group name."
  type        = string
  default     = "baseline"
}

variable "cidr_block" {
  description = "CIDR block of the new VPC (when vpc_id is null)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "traffic_type" {
  description = "REJECT or ALL: both satisfy the control; ACCEPT alone does not."
  type        = string
  default     = "[[.TrafficType]]"
  validation {
    condition     = contains(["REJECT", "ALL"], var.traffic_type)
    error_message = "traffic_type must be REJECT or ALL (ACCEPT-only flow logs do not log rejected traffic)."
  }
}

variable "retention_in_days" {
  description = "Log group retention; 365 days or more (0 keeps logs forever)."
  type        = number
  default     = [[.RetentionDays]]
  validation {
    condition     = var.retention_in_days == 0 || var.retention_in_days >= 365
    error_message = "retention_in_days must be at least 365 (or 0 for never expire)."
  }
}

variable "log_group_prefix" {
  description = "Log groups are PREFIX/VPC-ID, as flowguard fix names them; the SCP baseline protects log groups under PREFIX."
  type        = string
  default     = "[[.LogGroupPrefix]]"
}

variable "max_aggregation_interval" {
  description = "60 or 600 seconds."
  type        = number
  default     = 600
}

variable "kms_key_arn" {
  description = "Optional KMS key for the log group."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
