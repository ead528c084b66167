package export

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"dais/internal/member"
)

// maxSheetRows is how many members one worksheet holds: Excel's 1,048,576 rows less the
// header. A longer list continues on "Đảng viên (2)" and so on. A variable for tests.
var maxSheetRows = 1_048_575

// XLSX writes ms as a workbook: one header row (Vietnamese, or the English import names
// when lang is "en"), one row per member, every value a text cell — card numbers keep their
// leading zeros and dates are dd/mm/yyyy strings — and every value neutralized against
// formula injection. The unit's name goes into the document title and the printed page
// header, not into the cells, so the sheet keeps the import template's shape. The ID number
// and the photo are not exported.
func XLSX(w io.Writer, unitName string, ms []member.Member, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	title := "Danh sách đảng viên"
	sheet := "Đảng viên"
	if lang == "en" {
		title, sheet = "Party members", "Members"
	}
	if unitName != "" {
		title += " – " + unitName
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "Dais", Language: langTag(lang)}); err != nil {
		return fmt.Errorf("xlsx properties: %w", err)
	}
	headStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		NumFmt:    49, // "@": text
	})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	// Text format on the cells that hold digits, so editing them in Excel keeps them text.
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	head := header(lang)
	for part := 0; part == 0 || part*maxSheetRows < len(ms); part++ {
		name := sheet
		if part == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx sheet: %w", err)
			}
		} else {
			name = fmt.Sprintf("%s (%d)", sheet, part+1)
			if _, err := f.NewSheet(name); err != nil {
				return fmt.Errorf("xlsx sheet: %w", err)
			}
		}
		// Set before the stream writer: it keeps these settings, and ignores later ones.
		// "&" starts a control code in Excel's page header; "&&" prints one.
		hf := &excelize.HeaderFooterOptions{OddHeader: "&C&\"-,Bold\"" + strings.ReplaceAll(title, "&", "&&"), OddFooter: "&C&P/&N"}
		if err := f.SetHeaderFooter(name, hf); err != nil {
			return fmt.Errorf("xlsx page header: %w", err)
		}
		end := min(len(ms), (part+1)*maxSheetRows)
		if err := writeSheet(f, name, head, ms[part*maxSheetRows:end], lang, headStyle, textStyle); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", name, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, name string, head []string, ms []member.Member, lang string, headStyle, textStyle int) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, c := range columns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	cells := make([]any, len(columns))
	for i, h := range head {
		cells[i] = excelize.Cell{StyleID: headStyle, Value: cell(h)}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for n := range ms {
		for i, v := range row(&ms[n], lang) {
			c := excelize.Cell{Value: v}
			if columns[i].text {
				c.StyleID = textStyle
			}
			cells[i] = c
		}
		ref, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return fmt.Errorf("row %d: %w", n+2, err)
		}
	}
	return sw.Flush()
}

func langTag(lang string) string {
	if lang == "en" {
		return "en-US"
	}
	return "vi-VN"
}
