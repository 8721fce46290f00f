//go:build ignore

// gen_v5.go writes the generated straight-line parsers v5fast_gen.go and v5mask_gen.go from the templates
// in internal/v5gen: `go generate ./internal/logs/flowlog` (the directive is in v5mask.go).
package main

import (
	"log"
	"os"

	"github.com/flowguard/flowguard/internal/logs/flowlog/internal/v5gen"
)

func main() {
	files, err := v5gen.Files()
	if err != nil {
		log.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
