package challenges

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// decodeProblem turns a YAML decoding error into a Problem naming the field
// and line: the YAML library gives the offending token, whose path the
// document's tree gives; a size that does not parse (a custom type's
// error, which carries no position) is found by checking every size field.
func decodeProblem(err error, file *ast.File) Problem {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil {
		tok := yerr.GetToken()
		field := "yaml"
		if file != nil {
			if p, ok := pathOf(file, tok); ok {
				field = p
			}
		}
		msg := yerr.GetMessage()
		var unknown *yaml.UnknownFieldError
		if errors.As(err, &unknown) {
			msg = fmt.Sprintf("unknown key %q (check its spelling; see deploy/campaign.example.yaml)", tok.Value)
		} else {
			msg = fmt.Sprintf("%q: %s", tok.Value, msg)
		}
		return Problem{Field: field, Line: tok.Position.Line, Message: msg}
	}
	if file != nil {
		if p, ok := badSize(file); ok {
			return p
		}
	}
	return Problem{Field: "yaml", Message: err.Error()}
}

// pathOf finds the path ("teams[2].members[0]") of the node holding tok.
func pathOf(file *ast.File, tok *token.Token) (string, bool) {
	for _, doc := range file.Docs {
		if p, ok := walkPath(doc.Body, "", tok); ok {
			return strings.TrimPrefix(p, "."), true
		}
	}
	return "", false
}

func walkPath(n ast.Node, path string, tok *token.Token) (string, bool) {
	if n == nil {
		return "", false
	}
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			if p, ok := walkPath(mv, path, tok); ok {
				return p, true
			}
		}
	case *ast.MappingValueNode:
		p := path + "." + v.Key.GetToken().Value
		if samePosition(v.Key.GetToken(), tok) {
			return p, true
		}
		return walkPath(v.Value, p, tok)
	case *ast.SequenceNode:
		for i, item := range v.Values {
			if p, ok := walkPath(item, fmt.Sprintf("%s[%d]", path, i), tok); ok {
				return p, true
			}
		}
	case *ast.TagNode:
		return walkPath(v.Value, path, tok)
	default:
		if samePosition(n.GetToken(), tok) {
			return path, true
		}
	}
	return "", false
}

func samePosition(a, b *token.Token) bool {
	return a != nil && b != nil && a.Position.Line == b.Position.Line && a.Position.Column == b.Position.Column
}

// sizeFields are the paths of the config's sizes.
var sizeFields = []string{"$.campaign.goal", "$.milestones.every", "$.milestones.thresholds[*]"}

// badSize finds the first size field whose value is not a size.
func badSize(file *ast.File) (Problem, bool) {
	for _, field := range sizeFields {
		p, err := yaml.PathString(field)
		if err != nil {
			continue
		}
		node, err := p.FilterFile(file)
		if err != nil || node == nil {
			continue
		}
		nodes := []ast.Node{node}
		if seq, ok := node.(*ast.SequenceNode); ok {
			nodes = seq.Values
		}
		for i, n := range nodes {
			var b Bytes
			if err := yaml.NodeToValue(n, &b); err != nil {
				name := strings.TrimPrefix(field, "$.")
				if len(nodes) > 1 || strings.HasSuffix(field, "[*]") {
					name = strings.Replace(name, "[*]", fmt.Sprintf("[%d]", i), 1)
				}
				return Problem{Field: name, Line: n.GetToken().Position.Line, Message: err.Error()}, true
			}
		}
	}
	return Problem{}, false
}
