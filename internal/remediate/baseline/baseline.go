// Package baseline generates the configurations that keep new VPCs compliant: a Terraform module and a
// CloudFormation template (StackSet-ready) giving a VPC a compliant flow log, an AWS Config conformance pack
// with automatic remediation, and a service control policy that protects flow logs and their log groups.
package baseline

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/flowguard/flowguard/internal/outfile"
	"github.com/flowguard/flowguard/internal/remediate/defaults"
)

//go:embed templates
var templates embed.FS

// Formats are the baselines, by --format name.
var Formats = []string{"terraform", "cloudformation", "config", "scp"}

// Options parameterise the generated files.
type Options struct {
	// TrafficType is REJECT or ALL.
	TrafficType string
	// RetentionDays is the log group retention (at least 365).
	RetentionDays int
	// LogGroupPrefix prefixes flow-log log group names; the SCP protects log groups under it.
	LogGroupPrefix string
	// BreakGlassRole is the role name the SCP exempts.
	BreakGlassRole string
}

// Defaults are the options flowguard recommends: the same log group prefix, traffic type and retention as
// `flowguard fix` (package defaults), so that the SCP protects what fix creates.
func Defaults() Options {
	return Options{TrafficType: defaults.TrafficType, RetentionDays: defaults.RetentionDays,
		LogGroupPrefix: defaults.LogGroupPrefix, BreakGlassRole: defaults.BreakGlassRole}
}

var cwlRetention = map[int]bool{365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true, 2192: true,
	2557: true, 2922: true, 3288: true, 3653: true}

var (
	roleName  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	groupName = regexp.MustCompile(`^/?[\w\-/.#]{1,400}$`)
)

// Validate reports options that would generate a non-compliant or invalid baseline.
func (o Options) Validate() error {
	switch o.TrafficType {
	case "REJECT", "ALL":
	default:
		return fmt.Errorf("traffic type %q: must be REJECT or ALL (ACCEPT-only flow logs do not log rejected traffic)", o.TrafficType)
	}
	if !cwlRetention[o.RetentionDays] {
		return fmt.Errorf("retention %d days: must be a CloudWatch Logs retention of at least 365 days (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)", o.RetentionDays)
	}
	if !groupName.MatchString(o.LogGroupPrefix) || strings.HasSuffix(o.LogGroupPrefix, "/") {
		return fmt.Errorf("log group prefix %q: use letters, digits, _ - / . # and no trailing slash", o.LogGroupPrefix)
	}
	if !roleName.MatchString(o.BreakGlassRole) {
		return fmt.Errorf("break-glass role %q: not an IAM role name", o.BreakGlassRole)
	}
	return nil
}

// File is one generated file, by path relative to the output directory.
type File = outfile.File

// Generate renders the baseline of one format.
func Generate(format string, o Options) ([]File, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	known := false
	for _, f := range Formats {
		known = known || f == format
	}
	if !known {
		return nil, fmt.Errorf("unknown baseline format %q (valid: %s)", format, strings.Join(Formats, ", "))
	}
	root := path.Join("templates", format)
	var out []File
	err := fs.WalkDir(templates, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Delims("[[", "]]").Option("missingkey=error").Parse(string(src))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, o); err != nil {
			return err
		}
		out = append(out, File{Path: strings.TrimPrefix(p, "templates/"), Content: buf.Bytes()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// Write writes files under dir, creating directories, and returns the paths written.
func Write(dir string, files []File) ([]string, error) {
	return outfile.WriteTree(dir, files, outfile.ModeReport)
}
