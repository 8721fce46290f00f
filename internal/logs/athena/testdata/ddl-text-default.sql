CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`vpc_flow_logs` (
  `version` int,
  `account_id` string,
  `interface_id` string,
  `srcaddr` string,
  `dstaddr` string,
  `srcport` int,
  `dstport` int,
  `protocol` int,
  `packets` bigint,
  `bytes` bigint,
  `start` bigint,
  `end` bigint,
  `action` string,
  `log_status` string
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
  "projection.p_region.values" = "us-east-1,eu-west-1",
  "projection.dt.type" = "date",
  "projection.dt.format" = "yyyy/MM/dd",
  "projection.dt.range" = "2025/06/01,NOW",
  "projection.dt.interval" = "1",
  "projection.dt.interval.unit" = "DAYS",
  "storage.location.template" = "s3://my-flow-logs/AWSLogs/${p_account}/vpcflowlogs/${p_region}/${dt}/"
)
