package flowlog

// LooksLikeHeader reports whether line (without its newline) would be taken for a header line of field
// names rather than a record: the test Scanner applies to a stream's first line and Parser to a line that
// does not parse. Readers that cut a stream into pieces use it to follow format changes the way Scanner does.
func LooksLikeHeader(line []byte) bool { return looksLikeHeader(line) }
