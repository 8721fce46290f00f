// parseV5 (v5fast_gen.go): one block per column, in FieldsOfVersion(5) order, each generated from one template
// per kind of column (number, long number, time, string, address, action, log-status) by internal/v5gen.

package flowlog

// v5Stops are the column counts after which parseV5 can stop: the fields of VPC versions 2, 3, 4 and 5.
var v5Stops = [...]int{14, 21, 25, 29}
