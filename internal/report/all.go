package report

// All lists every output format: the one place a new format is registered.
func All() []Format {
	return []Format{
		{Name: "table", Extension: "txt", Write: WriteTable},
		{Name: "json", Extension: "json", Write: WriteJSON},
	}
}
