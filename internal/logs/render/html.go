package render

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/analyze"
)

type bar struct {
	Label, Value string
	Pct          float64
}

type chart struct {
	W, H         int
	AcceptPath   string // SVG path data, numbers only
	RejectPath   string
	XLabels      []axisLabel
	YLabels      []axisLabel
	From, To     string
	Max          int64
	HasTimeline  bool
	PointsNumber int
}

type axisLabel struct {
	X, Y   int
	Text   string
	Anchor string // start, middle or end
}

type htmlTable struct {
	Table
	Bars []bar
}

type page struct {
	Title  string
	Chart  chart
	Tables []htmlTable
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2430;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}td,th{padding:.25rem .6rem;border-bottom:1px solid #e3e7ee;text-align:left;vertical-align:top}
th{background:#f4f6f9}.bar{background:#4a78c2;height:.8rem;min-width:1px}.barcell{width:16rem}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem}
svg text{font-size:11px;fill:#5a6474}
</style></head><body>
<h1>{{.Title}}</h1>
{{with .Chart}}{{if .HasTimeline}}
<h2>Traffic over time (records)</h2>
<div class="legend"><span style="background:#4a78c2"></span>accepted<span style="background:#d0573f"></span>rejected</div>
<svg width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="records over time">
<line x1="50" y1="10" x2="50" y2="{{.H}}" stroke="#ccc"/>
<path d="{{.AcceptPath}}" fill="#4a78c2" fill-opacity="0.55" stroke="#4a78c2"/>
<path d="{{.RejectPath}}" fill="#d0573f" fill-opacity="0.7" stroke="#d0573f"/>
{{range .XLabels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>{{end}}
{{range .YLabels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="end">{{.Text}}</text>{{end}}
</svg>{{end}}{{end}}
{{range .Tables}}
<h2 id="{{.ID}}">{{.Title}}</h2>
{{if .Rows}}<table><thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}{{if .Bars}}<th></th>{{end}}</tr></thead><tbody>
{{$bars := .Bars}}{{range $i, $row := .Rows}}<tr>{{range $row}}<td>{{.}}</td>{{end}}{{if $bars}}<td class="barcell"><div class="bar" style="width: {{(index $bars $i).Pct}}%"></div></td>{{end}}</tr>
{{end}}</tbody></table>{{else}}<p>(none)</p>{{end}}
{{end}}
</body></html>
`))

func writeHTML(w io.Writer, title string, r *analyze.Report, tables []Table) error {
	p := page{Title: title}
	if r != nil {
		p.Chart = timelineChart(r.Timeline)
	}
	for _, t := range tables {
		ht := htmlTable{Table: t}
		if t.Bar >= 0 && len(t.Rows) > 0 {
			var maxV float64
			vals := make([]float64, len(t.Rows))
			for i, row := range t.Rows {
				if t.barValues != nil {
					vals[i] = t.barValues[i]
					maxV = max(maxV, vals[i])
				} else if t.Bar < len(row) {
					v, _ := strconv.ParseFloat(row[t.Bar], 64)
					vals[i] = v
					maxV = max(maxV, v)
				}
			}
			for i := range t.Rows {
				pct := 0.0
				if maxV > 0 {
					pct = 100 * vals[i] / maxV
				}
				ht.Bars = append(ht.Bars, bar{Pct: float64(int(pct*10)) / 10})
			}
		}
		p.Tables = append(p.Tables, ht)
	}
	return pageTmpl.Execute(w, p)
}

func timelineChart(pts []analyze.Point) chart {
	c := chart{W: 900, H: 240}
	if len(pts) == 0 {
		return c
	}
	c.HasTimeline = true
	const left, top, bottom = 50, 10, 20
	plotW, plotH := float64(c.W-left-10), float64(c.H-top-bottom)
	for _, p := range pts {
		c.Max = max(c.Max, p.Accept+p.Reject)
	}
	if c.Max == 0 {
		c.Max = 1
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(len(pts)-1)
	}
	y := func(v int64) float64 { return top + plotH - plotH*float64(v)/float64(c.Max) }
	area := func(lo, hi func(analyze.Point) int64) string {
		var b strings.Builder
		for i, p := range pts {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%.1f %.1f ", cmd, x(i), y(hi(p)))
		}
		for i := len(pts) - 1; i >= 0; i-- {
			fmt.Fprintf(&b, "L%.1f %.1f ", x(i), y(lo(pts[i])))
		}
		b.WriteString("Z")
		return b.String()
	}
	c.RejectPath = area(func(analyze.Point) int64 { return 0 }, func(p analyze.Point) int64 { return p.Reject })
	c.AcceptPath = area(func(p analyze.Point) int64 { return p.Reject }, func(p analyze.Point) int64 { return p.Reject + p.Accept })
	for j, i := range []int{0, len(pts) / 2, len(pts) - 1} {
		c.XLabels = append(c.XLabels, axisLabel{X: int(x(i)), Y: c.H - 4, Text: pts[i].Time.Format("01-02 15:04"), Anchor: []string{"start", "middle", "end"}[j]})
	}
	c.YLabels = []axisLabel{{X: left - 4, Y: top + 8, Text: human.Count(c.Max)}, {X: left - 4, Y: c.H - bottom, Text: "0"}}
	return c
}
