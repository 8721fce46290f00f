CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`vpc_flow_logs` (
  `version` int,
  `vpc_id` string,
  `srcaddr` string,
  `dstaddr` string,
  `action` string,
  `reject_reason` string,
  `next_hop_type` string
)
PARTITIONED BY (`p_account` string, `p_region` string, `dt` string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
LOCATION 's3://my-flow-logs/AWSLogs/'
TBLPROPERTIES (
  "skip.header.line.count" = "1",
  "projection.enabled" = "true",
  "projection.p_account.type" = "enum",
  "projection.p_account.values" = "111122223333",
  "projection.p_region.type" = "enum",
  "projection.p_region.values" = "us-east-1",
  "projection.dt.type" = "date",
  "projection.dt.format" = "'year='yyyy'/month='MM'/day='dd",
  "projection.dt.range" = "year=2025/month=06/day=01,NOW",
  "projection.dt.interval" = "1",
  "projection.dt.interval.unit" = "DAYS",
  "storage.location.template" = "s3://my-flow-logs/AWSLogs/aws-account-id=${p_account}/aws-service=vpcflowlogs/aws-region=${p_region}/${dt}/"
)
