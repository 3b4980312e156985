package challenges

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/goccy/go-yaml"
)

// Defi is one daily challenge.
type Defi struct {
	ID    string   `yaml:"id"`
	Title string   `yaml:"title"`
	Steps []string `yaml:"steps"`
	Tip   string   `yaml:"tip"`
	Saves string   `yaml:"saves"`
}

//go:embed defis.yaml
var builtinDefis []byte

// BuiltinDefis returns the built-in catalog, one défi per campaign day.
func BuiltinDefis() []Defi {
	var doc struct {
		Defis []Defi `yaml:"defis"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(builtinDefis), yaml.DisallowUnknownField()).Decode(&doc); err != nil {
		// The file is embedded and covered by tests: a failure is a build defect.
		panic(fmt.Sprintf("challenges: embedded defis.yaml: %v", err))
	}
	return doc.Defis
}

// Catalog returns the défis of the campaign in order: the config's own
// list or the built-in one, reordered by defi_order.
func (c *Config) Catalog() ([]Defi, error) {
	catalog := c.Defis
	if len(catalog) == 0 {
		catalog = BuiltinDefis()
	}
	if len(c.DefiOrder) == 0 {
		return catalog, nil
	}
	byID := make(map[string]Defi, len(catalog))
	for _, d := range catalog {
		byID[d.ID] = d
	}
	ordered := make([]Defi, 0, len(catalog))
	used := map[string]bool{}
	for _, id := range c.DefiOrder {
		d, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("defi_order: unknown défi id %q", id)
		}
		if !used[id] {
			ordered = append(ordered, d)
			used[id] = true
		}
	}
	for _, d := range catalog {
		if !used[d.ID] {
			ordered = append(ordered, d)
		}
	}
	return ordered, nil
}
