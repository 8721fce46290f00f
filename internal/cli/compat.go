package cli

// Transitional names while the commands move into their own packages; removed when the last one has moved.

import "github.com/flowguard/flowguard/internal/cli/cmdutil"

type (
	IOStreams       = cmdutil.IOStreams
	ExitError       = cmdutil.ExitError
	s3LayoutOptions = cmdutil.S3LayoutOptions
	reportOut       = cmdutil.ReportOut
)

const (
	defaultConcurrency = cmdutil.DefaultConcurrency
	outputTable        = cmdutil.OutputTable
	outputJSON         = cmdutil.OutputJSON
	fileFormatPlain    = cmdutil.FileFormatPlain
	fileFormatParquet  = cmdutil.FileFormatParquet
)

var (
	usageError       = cmdutil.UsageError
	inputError       = cmdutil.InputError
	addAlias         = cmdutil.AddAlias
	markDeprecated   = cmdutil.MarkDeprecated
	checkOutput      = cmdutil.CheckOutput
	addLogFormatFlag = cmdutil.AddLogFormatFlag
	addOutFlag       = cmdutil.AddOutFlag
	newReportOut     = cmdutil.NewReportOut
	loadChecks       = cmdutil.LoadChecks
	writeJSON        = cmdutil.WriteJSON
)
