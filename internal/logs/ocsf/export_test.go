package ocsf

// SetRowGroup sets the Parquet row-group size for a test and returns the function that restores it.
func SetRowGroup(n int64) func() {
	prev := rowGroup
	rowGroup = n
	return func() { rowGroup = prev }
}
