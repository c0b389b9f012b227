package kb

import (
	"strings"
)

// Piece is one chunk of a document before it is stored.
type Piece struct {
	// Heading is the Markdown heading path the text sits under ("Revenue >
	// ARR").
	Heading string
	Text    string
}

// MaxChunkBytes is the target size of a chunk; paragraphs are never split
// unless one alone is longer.
const MaxChunkBytes = 1200

// Split chunks a Markdown or text document: each section under a heading
// becomes one or more chunks of whole paragraphs up to MaxChunkBytes, each
// chunk starting with its heading path so it reads on its own.
func Split(text string) []Piece {
	var out []Piece
	var path []string // headings by level
	var paras []string
	var cur strings.Builder
	heading := func() string { return strings.Join(nonEmpty(path), " > ") }
	flushPara := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			paras = append(paras, s)
		}
		cur.Reset()
	}
	flushSection := func() {
		flushPara()
		h := heading()
		var buf strings.Builder
		emit := func() {
			if strings.TrimSpace(buf.String()) == "" {
				return
			}
			out = append(out, Piece{Heading: h, Text: strings.TrimSpace(buf.String())})
			buf.Reset()
		}
		for _, p := range paras {
			for len(p) > MaxChunkBytes {
				cut := strings.LastIndexAny(p[:MaxChunkBytes], ".!?\n ")
				if cut <= 0 {
					cut = MaxChunkBytes
				}
				emit()
				buf.WriteString(p[:cut+1])
				emit()
				p = strings.TrimSpace(p[cut+1:])
			}
			if buf.Len() > 0 && buf.Len()+len(p)+2 > MaxChunkBytes {
				emit()
			}
			if buf.Len() > 0 {
				buf.WriteString("\n\n")
			}
			buf.WriteString(p)
		}
		emit()
		paras = nil
	}
	inFence := false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(trim, "#") {
			level := len(trim) - len(strings.TrimLeft(trim, "#"))
			if level <= 6 && (len(trim) == level || trim[level] == ' ') {
				flushSection()
				for len(path) < level {
					path = append(path, "")
				}
				path = path[:level]
				path[level-1] = strings.TrimSpace(trim[level:])
				continue
			}
		}
		if trim == "" && !inFence {
			flushPara()
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
	}
	flushSection()
	return out
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
