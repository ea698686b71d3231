package chromium

import "encoding/json"

// MarksExpr returns, as a JSON string, each svg.chart's data-chart name and
// its number of drawn marks (class "mark" with a non-empty bounding box).
const MarksExpr = `JSON.stringify([...document.querySelectorAll('svg.chart')].map(s => ({chart: s.dataset.chart,
  marks: [...s.querySelectorAll('.mark')].filter(m => { const b = m.getBBox(); return b.width > 0 && b.height > 0; }).length})))`

// Marks decodes the value MarksExpr evaluates to.
func Marks(v json.RawMessage) (map[string]int, []string, error) {
	var s string
	if err := jsonString(v, &s); err != nil {
		return nil, nil, err
	}
	var list []struct {
		Chart string `json:"chart"`
		Marks int    `json:"marks"`
	}
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, nil, err
	}
	out := map[string]int{}
	var order []string
	for _, c := range list {
		out[c.Chart] = c.Marks
		order = append(order, c.Chart)
	}
	return out, order, nil
}

func jsonString(v json.RawMessage, s *string) error { return json.Unmarshal(v, s) }
