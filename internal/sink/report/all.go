package report

// All lists every output format: the one place a new format is registered.
func All() []Format {
	return []Format{
		{Name: "table", Extension: "txt", Write: WriteTable},
		{Name: "json", Extension: "json", Write: WriteJSON},
		{Name: "csv", Extension: "csv", Write: WriteCSV},
		{Name: "sarif", Extension: "sarif", Write: WriteSARIF},
		{Name: "ocsf", Extension: "ocsf.json", Write: WriteOCSF},
		{Name: "asff", Extension: "asff.json", Write: WriteASFF},
		{Name: "junit", Extension: "junit.xml", Write: WriteJUnit},
		{Name: "markdown", Extension: "md", Write: WriteMarkdown},
		{Name: "html", Extension: "html", Write: WriteHTML},
	}
}
