package instrument_test

import (
	"strings"
	"testing"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/instrument"
)

func TestBundled(t *testing.T) {
	t.Parallel()
	got := instrument.Bundled()
	if len(got) != 4 {
		t.Fatalf("%d bundled instruments, want 4", len(got))
	}
	for _, d := range got {
		if err := instrument.Validate(d); err != nil {
			t.Errorf("%s: Validate: %v", d.ID, err)
		}
		for _, it := range d.Items {
			if it.Text["en"] == "" || it.Text["nl"] == "" {
				t.Errorf("%s.%s lacks English or Dutch text", d.ID, it.ID)
			}
		}
		if strings.Contains(strings.ToLower(d.Name+d.Source), "uwes") {
			t.Errorf("%s mentions UWES: its text must never be bundled", d.ID)
		}
	}
	eng, ok := instrument.BundledByID(instrument.EngagementID)
	if !ok || eng.Validated {
		t.Errorf("the engagement pulse: found %v, validated %v; want it bundled and labelled not validated", ok, eng.Validated)
	}
	for _, it := range eng.Items {
		if it.Feeds.Kind != instrument.FeedEngagement {
			t.Errorf("engagement.%s feeds %q, want engagement", it.ID, it.Feeds.Kind)
		}
	}
	emp, ok := instrument.BundledByID(instrument.EmpowermentID)
	if !ok || emp.Validated || !strings.Contains(emp.Name, "not validated") {
		t.Errorf("empowerment=%+v, want it labelled not validated", emp)
	}
	drivers := map[string]bool{}
	for _, it := range emp.Items {
		drivers[it.Feeds.Driver] = true
	}
	for _, want := range []string{"ownership", "clear_frameworks", "leadership_by_example", "suitable_tools", "feedback_recognition", "digital_skills"} {
		if !drivers[want] {
			t.Errorf("empowerment has no item for driver %q", want)
		}
	}
}

func TestScores(t *testing.T) {
	t.Parallel()
	who5, _ := instrument.BundledByID(instrument.WHO5ID)
	tests := []struct {
		raw  [5]int
		want int
	}{{[5]int{0, 0, 0, 0, 0}, 0}, {[5]int{5, 5, 5, 5, 5}, 100}, {[5]int{3, 2, 4, 1, 3}, 52}}
	for _, tt := range tests {
		if got := instrument.WHO5(tt.raw); got != tt.want {
			t.Errorf("WHO5(%v)=%d, want %d", tt.raw, got, tt.want)
		}
		mean := 0.0
		for i, v := range tt.raw {
			mean += who5.Rescale(who5.Items[i], v) / 5
		}
		if int(mean+0.5) != tt.want {
			t.Errorf("mean of rescaled %v=%v, want %d (sum x 4)", tt.raw, mean, tt.want)
		}
	}
	enpsTests := []struct {
		answers []int
		want    float64
	}{{nil, 0}, {[]int{10, 9, 8, 7, 6, 0}, 0}, {[]int{10, 10, 9, 6}, 50}, {[]int{6, 5}, -100}}
	for _, tt := range enpsTests {
		if got := instrument.ENPS(tt.answers); got != tt.want {
			t.Errorf("ENPS(%v)=%v, want %v", tt.answers, got, tt.want)
		}
	}
	for v, want := range map[int]instrument.ENPSCategory{10: instrument.Promoter, 9: instrument.Promoter, 8: instrument.Passive, 7: instrument.Passive, 6: instrument.Detractor, 0: instrument.Detractor} {
		if got := instrument.CategoryENPS(v); got != want {
			t.Errorf("CategoryENPS(%d)=%s, want %s", v, got, want)
		}
	}
	rev := instrument.Definition{Scale: instrument.Scale{Min: 1, Max: 5}}
	if got := rev.Rescale(instrument.Item{Reverse: true}, 5); got != 0 {
		t.Errorf("reverse-scored 5 on 1-5 rescaled to %v, want 0", got)
	}
}

const customJSON = `{"id":"uwes3","name":"Engagement short form (licensed)","validated":true,
 "scale":{"min":0,"max":6},
 "items":[{"id":"vigour","text":{"en":"(licensed text loaded by the admin)","nl":"(tekst)"},"feeds":{"kind":"engagement"}},
          {"id":"calm","text":{"en":"Reverse item"},"reverse":true,"feeds":{"kind":"driver","driver":"focus"}}]}`

func TestParse(t *testing.T) {
	t.Parallel()
	d, err := instrument.Parse([]byte(customJSON))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if d.ID != "uwes3" || len(d.Items) != 2 || !d.Items[1].Reverse || d.Items[1].Feeds.Driver != "focus" {
		t.Fatalf("Parse=%+v", d)
	}
	tests := []struct {
		name      string
		json      string
		wantField string
	}{
		{"Malformed", `{"id":`, "definition"},
		{"Trailing", `{"id":"x"} {}`, "definition"},
		{"UnknownField", `{"id":"x","colour":"red"}`, "colour"},
		{"WrongType", `{"id":"x","scale":{"min":"zero","max":7}}`, "scale.min"},
		{"BadID", strings.Replace(customJSON, `"uwes3"`, `"UWES 3"`, 1), "id"},
		{"NoName", strings.Replace(customJSON, `"Engagement short form (licensed)"`, `" "`, 1), "name"},
		{"ScaleInverted", strings.Replace(customJSON, `"max":6`, `"max":0`, 1), "scale.max"},
		{"ScaleTooWide", strings.Replace(customJSON, `"max":6`, `"max":1000`, 1), "scale.max"},
		{"NoItems", `{"id":"x","name":"X","scale":{"min":0,"max":6},"items":[]}`, "items"},
		{"DuplicateItem", strings.Replace(customJSON, `"calm"`, `"vigour"`, 1), "items[1].id"},
		{"NoText", strings.Replace(customJSON, `{"en":"Reverse item"}`, `{}`, 1), "items[1].text"},
		{"BadLanguage", strings.Replace(customJSON, `{"en":"Reverse item"}`, `{"English":"x"}`, 1), "items[1].text.English"},
		{"EmptyText", strings.Replace(customJSON, `{"en":"Reverse item"}`, `{"en":""}`, 1), "items[1].text.en"},
		{"BadFeed", strings.Replace(customJSON, `"kind":"engagement"`, `"kind":"happiness"`, 1), "items[0].feeds.kind"},
		{"DriverWithoutName", strings.Replace(customJSON, `,"driver":"focus"`, ``, 1), "items[1].feeds.driver"},
		{"ENPSOnWrongScale", strings.Replace(customJSON, `"kind":"engagement"`, `"kind":"enps"`, 1), "items[0].feeds.kind"},
		{"Bundled", strings.Replace(customJSON, `"validated":true`, `"bundled":true`, 1), "bundled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := instrument.Parse([]byte(tt.json))
			if apperr.CodeOf(err) != apperr.Invalid || apperr.FieldOf(err) != tt.wantField {
				t.Fatalf("err=%v (field %q), want invalid field %q", err, apperr.FieldOf(err), tt.wantField)
			}
		})
	}
}

func TestDecideDefine(t *testing.T) {
	t.Parallel()
	d, err := instrument.Parse([]byte(customJSON))
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := instrument.DecideDefine(false, d); err != nil || ev.Definition.ID != "uwes3" {
		t.Fatalf("DecideDefine=%+v, %v", ev, err)
	}
	if _, err := instrument.DecideDefine(true, d); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("existing: err=%v, want conflict", err)
	}
	d.ID = instrument.WHO5ID
	if _, err := instrument.DecideDefine(false, d); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("bundled id: err=%v, want conflict", err)
	}
}
