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

// The built-in catalogs, one per campaign language, with the same ids in
// the same order.
var (
	//go:embed defis.yaml
	defisFR []byte
	//go:embed defis_en.yaml
	defisEN []byte
)

// BuiltinDefis returns the built-in catalog, one défi per campaign day, in
// a campaign language: English for "en", French for anything else. Both
// catalogs have the same ids in the same order, so a defi_order works in
// either language. Each call returns a fresh copy.
func BuiltinDefis(language string) []Defi {
	name, data := "defis.yaml", defisFR
	if language == "en" {
		name, data = "defis_en.yaml", defisEN
	}
	defis, err := decodeDefis(data)
	if err != nil {
		// The files are embedded and covered by tests: a failure is a build defect.
		panic(fmt.Sprintf("challenges: embedded %s: %v", name, err))
	}
	return defis
}

// decodeDefis reads a catalog file and refuses unknown keys, so a typo in a
// translation ("titel") fails the tests instead of posting an empty title.
func decodeDefis(data []byte) ([]Defi, error) {
	var doc struct {
		Defis []Defi `yaml:"defis"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField()).Decode(&doc); err != nil {
		return nil, err
	}
	return doc.Defis, nil
}

// Catalog returns the défis of the campaign in order: the config's own
// list or the built-in one in the campaign language, reordered by defi_order.
func (c *Config) Catalog() ([]Defi, error) {
	catalog := c.unordered()
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

// unordered returns the config's own défis, or else the built-in ones in the
// campaign language, before defi_order applies.
func (c *Config) unordered() []Defi {
	if len(c.Defis) > 0 {
		return c.Defis
	}
	return BuiltinDefis(c.Campaign.Language)
}
