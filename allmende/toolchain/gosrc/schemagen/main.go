// Command gen writes the provider's embedded schema and mapping files.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func compact(src, dst string, into any) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if spec, ok := into.(*schema.PackageSpec); ok {
		spec.Version = os.Args[2]
	}
	out, err := json.Marshal(into)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, out, 0o644)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen <cmd dir> <version>")
		os.Exit(2)
	}
	dir := os.Args[1]
	var spec schema.PackageSpec
	var mapping any
	if err := compact(filepath.Join(dir, "schema.json"), filepath.Join(dir, "schema-embed.json"), &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := compact(filepath.Join(dir, "terraform-mapping.json"), filepath.Join(dir, "terraform-mapping-embed.json"), &mapping); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
