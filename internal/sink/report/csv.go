package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// csvHeader is the column order of the CSV report; parsers may rely on it.
var csvHeader = []string{
	"account_id", "region", "check_id", "status", "reason", "severity", "resource_type", "resource_id",
	"resource_name", "resource_arn", "message", "controls", "location", "tags",
	"exception_id", "exception_owner", "exception_expires", "exception_expired", "error",
}

// WriteCSV writes one row per finding (RFC 4180, header first). Cells that a spreadsheet would run as a
// formula (starting with = + - @, tab, CR or LF) get a leading single quote (textsafe.CSVCell): tags and names are user-controlled.
func WriteCSV(w io.Writer, r *finding.Result, _ Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range sortedFindings(r) {
		var exID, exOwner, exExpires, exExpired string
		if e := f.Evidence.Exception; e != nil {
			exID, exOwner, exExpires, exExpired = e.ID, e.Owner, e.Expires, strconv.FormatBool(e.Expired)
		}
		row := []string{
			f.AccountID, f.Region, f.CheckID, string(f.Status), f.Reason, severityOf(f.Severity), f.ResourceType,
			f.ResourceID, f.ResourceName, resourceARN(f), f.Message, strings.Join(controlTags(f.Controls), "; "),
			location(f), strings.Join(sortedTags(f.Evidence.Tags), "; "),
			exID, exOwner, exExpires, exExpired, f.Evidence.Error,
		}
		if err := cw.Write(textsafe.CSVRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
