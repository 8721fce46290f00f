SELECT interface_id AS interface, count(*) AS records,
  count_if(log_status = 'SKIPDATA') AS skipdata,
  round(100.0 * count_if(log_status = 'SKIPDATA') / count(*), 2) AS skipdata_pct
FROM "default"."vpc_flow_logs"
WHERE p_account IN ('111122223333')
  AND p_region IN ('us-east-1')
  AND dt >= '2026/01/01'
  AND "start" >= 1767225600
  AND dt <= '2026/01/02'
  AND "start" < 1767312000
  AND interface_id IN ('eni-0abc''; --')
  AND (contains('10.0.0.0/16', try_cast(srcaddr AS IPADDRESS)) OR contains('10.0.0.0/16', try_cast(dstaddr AS IPADDRESS)))
  AND (srcport IN (22, 3389) OR dstport IN (22, 3389))
  AND protocol IN (6)
GROUP BY interface_id
HAVING count_if(log_status = 'SKIPDATA') > 0
ORDER BY skipdata_pct DESC, skipdata DESC, interface
