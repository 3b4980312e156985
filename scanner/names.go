package scanner

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NameRules decide which files are badly named: names that betray a
// forgotten copy, a draft, a temporary or lock file, or that a Windows share
// cannot hold. The first rule a file breaks is the one reported.
type NameRules struct {
	Rules []NameRule
}

// NameRule is one naming rule.
type NameRule struct {
	// Name is short and stable ("copy", "temp"…): reports carry it.
	Name string
	// Doc says in one sentence, for people, what the rule catches.
	Doc string
	// Match reports whether a file breaks the rule.
	Match func(FileName) bool
}

// FileName is a file's name as rules see it. Folded, Stem and Ext are in
// lower case without accents ("Copie de Résumé.DOCX" → "copie de resume.docx"),
// so that rules on words ignore case and accents.
type FileName struct {
	// Name is the name as on disk; RelPath the slash-separated path from the root.
	Name, RelPath string
	// Folded is Name folded; Stem is Folded without its extension, and Ext
	// the extension with its dot (".docx"), "" when there is none.
	Folded, Stem, Ext string
}

// Limits of Windows shares that the too-long rule checks. MAX_PATH counts
// the whole path: a path relative to the root already longer can be neither
// opened nor copied by many Windows programs, whatever the share's prefix.
const (
	maxNameUnits = 255 // UTF-16 code units in one name (NTFS, SMB)
	maxPathUnits = 260 // MAX_PATH
)

// DefaultNameRules returns the rule set gigascan applies, in this order:
//
//   - lock-file: Office owner files "~$rapport.docx", LibreOffice ".~lock.rapport.odt#".
//   - temp: extensions .tmp, .temp, .bak, .swp, and names ending in "~".
//   - windows-chars: a character Windows refuses: < > : " \ | ? * or a control character.
//   - windows-reserved: names Windows reserves: CON, PRN, AUX, NUL, COM1–9, LPT1–9, with any extension.
//   - trailing-space: a name that ends with a space or a dot, or begins with a
//     space (Windows strips or refuses them; a leading dot, a hidden Unix file, is fine).
//   - too-long: a name over 255 UTF-16 units, or a path from the root over 260 (MAX_PATH).
//   - copy: "Copie de …", "Copy of …", "Copie (2) de …", "… - Copie", "… - Copy (3)",
//     "…_copie", "… copie 2" (macOS).
//   - untitled: "Nouveau document texte", "Nouveau dossier", "Nouvelle feuille de calcul",
//     "New Text Document", "Sans titre", "Untitled", "Document1", "Classeur1", "Book1"…
//   - numbered-copy: a "(1)" or "[2]" at the end of the name, up to two digits
//     (a year such as "(2019)" is not a copy number).
//   - version-word: the words final, finale, def, definitif, definitive, vdef
//     ("Rapport FINAL def.docx", "budget_définitif2.xlsx").
//   - version-number: a version suffix such as "v2", "V3", "v1.2", "version 2".
//
// Word rules compare whole words, ignoring case and accents: "Finalité.pdf"
// breaks no rule. Add rules with GlobRule, or drop some from Rules.
func DefaultNameRules() *NameRules {
	return NewNameRules(
		NameRule{"lock-file", "Office or LibreOffice lock file (~$…, .~lock.…#)", isLockFile},
		NameRule{"temp", "temporary or backup file (.tmp, .temp, .bak, .swp, …~)", isTemp},
		NameRule{"windows-chars", `character invalid on Windows (< > : " \ | ? * or control)`, hasWindowsChars},
		NameRule{"windows-reserved", "name reserved by Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9)", isWindowsReserved},
		NameRule{"trailing-space", "name ending with a space or a dot, or beginning with a space", hasEdgeSpace},
		NameRule{"too-long", "name over 255 characters or path over 260 (Windows MAX_PATH)", isTooLong},
		NameRule{"copy", `copy made by Explorer or Finder ("Copie de …", "… - Copie", "Copy of …")`, isCopy},
		NameRule{"untitled", `default name ("Nouveau document", "Sans titre", "Untitled", "Document1")`, isUntitled},
		NameRule{"numbered-copy", `numbered copy ("rapport (1).pdf", "rapport[2].docx")`, isNumberedCopy},
		NameRule{"version-word", "version word (final, finale, def, definitif, definitive, vdef)", hasVersionWord},
		NameRule{"version-number", `version number ("v2", "V3", "v1.2", "version 2")`, hasVersionNumber},
	)
}

// NewNameRules returns a rule set of rules, tried in order.
func NewNameRules(rules ...NameRule) *NameRules {
	return &NameRules{Rules: rules}
}

// GlobRule returns a rule named name that a file breaks when its folded
// name (lower case, no accents) matches one of patterns (path.Match syntax,
// folded likewise): GlobRule("scan", "scan_*.pdf") catches "SCAN_0001.PDF".
// It returns an error for a malformed pattern.
func GlobRule(name string, patterns ...string) (NameRule, error) {
	folded := make([]string, len(patterns))
	for i, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return NameRule{}, fmt.Errorf("scanner: name pattern %q: %w", p, err)
		}
		folded[i] = fold(p)
	}
	return NameRule{
		Name: name,
		Doc:  "name matching " + strings.Join(patterns, ", "),
		Match: func(n FileName) bool {
			for _, p := range folded {
				if ok, _ := path.Match(p, n.Folded); ok {
					return true
				}
			}
			return false
		},
	}, nil
}

// Check returns the first rule the file name (at relPath, slash-separated
// from the root) breaks, and whether it breaks one.
func (r *NameRules) Check(relPath, name string) (rule string, bad bool) {
	if r == nil || len(r.Rules) == 0 {
		return "", false
	}
	n := FileName{Name: name, RelPath: relPath, Folded: fold(name)}
	n.Stem, n.Ext = n.Folded, ""
	if i := strings.LastIndexByte(n.Folded, '.'); i > 0 {
		n.Stem, n.Ext = n.Folded[:i], n.Folded[i:]
	}
	for _, rule := range r.Rules {
		if rule.Match(n) {
			return rule.Name, true
		}
	}
	return "", false
}

// fold lowers s and strips its accents. Most names are plain ASCII in lower
// case, which costs nothing.
func fold(s string) string {
	ascii, upper := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	switch {
	case ascii && !upper:
		return s
	case ascii:
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	write := func(r rune) {
		if !unicode.Is(unicode.Mn, r) { // a combining accent
			b.WriteRune(unicode.ToLower(r))
		}
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		p := norm.NFD.PropertiesString(s[i:])
		size := max(p.Size(), 1)
		if d := p.Decomposition(); d != nil {
			for _, r := range string(d) {
				write(r)
			}
		} else {
			for _, r := range s[i : i+size] {
				write(r)
			}
		}
		i += size
	}
	return b.String()
}

func isLockFile(n FileName) bool {
	return strings.HasPrefix(n.Name, "~$") || strings.HasPrefix(n.Folded, ".~lock.")
}

func isTemp(n FileName) bool {
	switch n.Ext {
	case ".tmp", ".temp", ".bak", ".swp":
		return true
	}
	return strings.HasSuffix(n.Name, "~")
}

func hasWindowsChars(n FileName) bool {
	for i := 0; i < len(n.Name); i++ {
		switch c := n.Name[i]; c {
		case '<', '>', ':', '"', '\\', '|', '?', '*':
			return true
		default:
			if c < 0x20 {
				return true
			}
		}
	}
	return false
}

func isWindowsReserved(n FileName) bool {
	base, _, _ := strings.Cut(n.Folded, ".")
	base = strings.TrimRight(base, " ")
	switch base {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "com") || strings.HasPrefix(base, "lpt")) &&
		'1' <= base[3] && base[3] <= '9'
}

func hasEdgeSpace(n FileName) bool {
	return strings.HasPrefix(n.Name, " ") || strings.HasSuffix(n.Name, " ") || strings.HasSuffix(n.Name, ".")
}

func isTooLong(n FileName) bool {
	return utf16Len(n.Name) > maxNameUnits || utf16Len(n.RelPath) > maxPathUnits
}

// utf16Len is the length of s in UTF-16 code units, as Windows counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

func isCopy(n FileName) bool {
	for _, prefix := range []string{"copie de ", "copy of "} {
		if strings.HasPrefix(n.Folded, prefix) {
			return true
		}
	}
	// "Copie (2) de rapport.docx", "Copy (2) of report.docx" (Windows XP).
	for _, p := range [][2]string{{"copie (", ") de "}, {"copy (", ") of "}} {
		if rest, ok := strings.CutPrefix(n.Folded, p[0]); ok {
			if digits := leadingDigits(rest); digits > 0 && strings.HasPrefix(rest[digits:], p[1]) {
				return true
			}
		}
	}
	// "rapport - Copie.docx", "rapport - Copie (2).docx" (Explorer),
	// "rapport_copie.docx", "rapport copie 2.docx" (macOS Finder).
	stem, numbered := trimCopyNumber(n.Stem)
	for _, suffix := range []string{" - copie", " - copy", "_copie", "_copy"} {
		if strings.HasSuffix(stem, suffix) {
			return true
		}
	}
	return numbered && (strings.HasSuffix(stem, " copie") || strings.HasSuffix(stem, " copy"))
}

// trimCopyNumber removes a trailing " (2)" or " 2" from stem.
func trimCopyNumber(stem string) (string, bool) {
	if s, ok := cutNumberInBrackets(stem, '(', ')'); ok {
		return strings.TrimSuffix(s, " "), true
	}
	if digits := trailingDigits(stem); digits > 0 && digits < len(stem) && stem[len(stem)-digits-1] == ' ' {
		return stem[:len(stem)-digits-1], true
	}
	return stem, false
}

func isNumberedCopy(n FileName) bool {
	_, paren := cutNumberInBrackets(n.Stem, '(', ')')
	_, square := cutNumberInBrackets(n.Stem, '[', ']')
	return paren || square
}

// cutNumberInBrackets cuts an open-number-close of one or two digits off
// the end of s.
func cutNumberInBrackets(s string, open, close byte) (string, bool) {
	inner, ok := strings.CutSuffix(s, string(close))
	if !ok {
		return s, false
	}
	digits := trailingDigits(inner)
	if digits < 1 || digits > 2 || digits == len(inner) || inner[len(inner)-digits-1] != open {
		return s, false
	}
	return inner[:len(inner)-digits-1], true
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func trailingDigits(s string) int {
	i := len(s)
	for i > 0 && isDigit(s[i-1]) {
		i--
	}
	return len(s) - i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }

var untitledPrefixes = []string{
	"nouveau document", "nouveau dossier", "nouveau fichier", "nouveau feuille de calcul",
	"nouvelle feuille de calcul", "nouveau presentation", "nouvelle presentation",
	"nouveau microsoft", "nouvelle image", "nouveau texte", "nouveau bitmap",
	"new text document", "new microsoft", "new document", "new folder", "new bitmap image",
	"sans titre", "sans nom", "untitled",
}

// untitledDefaults are the names Office gives a new file, before a number:
// "Document1", "Classeur1", "Book1", "Présentation1".
var untitledDefaults = []string{"document", "classeur", "book", "presentation", "dessin", "drawing"}

func isUntitled(n FileName) bool {
	for _, p := range untitledPrefixes {
		if strings.HasPrefix(n.Stem, p) {
			return true
		}
	}
	digits := trailingDigits(n.Stem)
	for _, d := range untitledDefaults {
		if digits > 0 && n.Stem[:len(n.Stem)-digits] == d {
			return true
		}
	}
	return false
}

var versionWords = map[string]bool{
	"final": true, "finale": true, "def": true, "definitif": true, "definitive": true, "vdef": true,
}

// hasVersionWord looks for a version word among the words of the stem, a
// word being a run of letters ("rapport_final2" has "rapport" and "final").
func hasVersionWord(n FileName) bool {
	s := n.Stem
	for i := 0; i < len(s); {
		if !isLetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if versionWords[s[i:j]] {
			return true
		}
		i = j
	}
	return false
}

// hasVersionNumber looks for "v" or "version" followed by a number, as a word
// of its own: "rapport_v2", "Budget V3 relu", "note v1.2", "version 2"; not
// "dev2" nor "v2a".
func hasVersionNumber(n FileName) bool {
	s := n.Stem
	for i := 0; i < len(s); i++ {
		if i > 0 && (isLetter(s[i-1]) || isDigit(s[i-1])) {
			continue
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "version"):
			rest = strings.TrimLeft(rest[len("version"):], " _-")
		case strings.HasPrefix(rest, "v"):
			rest = rest[1:]
		default:
			continue
		}
		digits := leadingDigits(rest)
		for digits > 0 && digits+1 < len(rest) && rest[digits] == '.' && isDigit(rest[digits+1]) {
			digits += 1 + leadingDigits(rest[digits+1:])
		}
		if digits > 0 && (digits == len(rest) || !isLetter(rest[digits])) {
			return true
		}
	}
	return false
}
