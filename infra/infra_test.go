package infra_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/seclake/seclake/infra"
	"github.com/seclake/seclake/internal/cli"
	"github.com/seclake/seclake/internal/lifecycle"
	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/schemas"
)

var update = flag.Bool("update", false, "rewrite infra/glue.yaml")

// ---------------------------------------------------------------- CloudFormation as data

// cfn decodes a template, turning short-form intrinsics (!Ref X) into
// one-key maps ({"!Ref": X}) and resolving YAML aliases.
func cfn(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return toAny(doc.Content[0]).(map[string]any)
}

func toAny(n *yaml.Node) any {
	if n.Kind == yaml.AliasNode {
		return toAny(n.Alias)
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Value == "<<" { // merge key
				for mk, mv := range toAny(n.Content[i+1]).(map[string]any) {
					m[mk] = mv
				}
				continue
			}
			m[k.Value] = toAny(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, toAny(c))
		}
		v = s
	default:
		var x any
		_ = n.Decode(&x)
		if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
			x = n.Value
		}
		v = x
	}
	if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
		return map[string]any{n.Tag: v}
	}
	return v
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func resources(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, r := range tpl["Resources"].(map[string]any) {
		if get(r, "Type") == typ {
			out[name] = r.(map[string]any)
		}
	}
	return out
}

func ref(v any) string {
	if m, ok := v.(map[string]any); ok {
		if s, ok := m["!Ref"].(string); ok {
			return s
		}
	}
	return ""
}

func paramDefault(t *testing.T, tpl map[string]any, name string) int {
	t.Helper()
	d := get(tpl, "Parameters", name, "Default")
	n, ok := d.(int)
	if !ok {
		t.Fatalf("parameter %s: default %v is not a number", name, d)
	}
	return n
}

// ---------------------------------------------------------------- tests

func TestGlueTemplateUpToDate(t *testing.T) {
	got, err := infra.GlueTemplate()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("glue.yaml", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("glue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Fatal("infra/glue.yaml is stale: run `go run ./infra/gen` (or go test ./infra -update)")
	}
}

// The Glue tables are the Parquet schemas: same columns, types, partition
// keys and projection properties as `seclake athena ddl`.
func TestGlueColumnsEqualParquetSchemas(t *testing.T) {
	tpl := cfn(t, "glue.yaml")
	seen := map[string]bool{}
	for name, r := range resources(tpl, "AWS::Glue::Table") {
		in := get(r, "Properties", "TableInput")
		tn, _ := get(in, "Name").(string)
		tab, ok := schemas.Lookup(tn)
		if !ok {
			t.Errorf("%s: table %q is not in schemas.Tables()", name, tn)
			continue
		}
		seen[tn] = true
		var got []string
		for _, c := range get(in, "StorageDescriptor", "Columns").([]any) {
			got = append(got, fmt.Sprint(get(c, "Name"), " ", get(c, "Type")))
		}
		var want []string
		for _, c := range tab.Columns() {
			want = append(want, c.Name+" "+c.Type)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Glue columns differ from the Parquet schema\n got %q\nwant %q", tn, got, want)
		}
		var parts []string
		for _, p := range get(in, "PartitionKeys").([]any) {
			parts = append(parts, get(p, "Name").(string))
		}
		var wantParts []string
		for _, p := range tab.Partitions {
			wantParts = append(wantParts, strings.ToLower(p))
		}
		if !slices.Equal(parts, wantParts) {
			t.Errorf("%s: partition keys %q, want %q", tn, parts, wantParts)
		}
		params := get(in, "Parameters").(map[string]any)
		for _, p := range tab.Properties(schemas.DDLOptions{Location: "L", Accounts: []string{"A"}, Regions: []string{"R"}, FromDay: "D"}) {
			if _, ok := params[p.Key]; !ok {
				t.Errorf("%s: Glue parameters lack %s (in the Athena DDL)", tn, p.Key)
			}
		}
	}
	for _, tab := range schemas.Tables() {
		if !seen[tab.Name] {
			t.Errorf("schemas table %s has no Glue table", tab.Name)
		}
	}
}

// Saved queries name only columns of the tables they read.
func TestSavedQueriesUseRealColumns(t *testing.T) {
	qs, err := infra.Queries()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 4 {
		t.Fatalf("%d saved queries, want the four common questions", len(qs))
	}
	sqlWords := map[string]bool{}
	for _, w := range strings.Fields(`select from where and or not in is null as on by group order desc asc limit
		with left join distinct count sum max min avg count_if stddev_samp nullif contains date_format date_trunc
		current_date current_timestamp interval day hour nulls first case when then else end true false`) {
		sqlWords[w] = true
	}
	ident := regexp.MustCompile(`\b[a-z][a-z0-9_]*\b`)
	strLit := regexp.MustCompile(`'[^']*'`)
	for _, q := range qs {
		cols := map[string]bool{}
		for _, tn := range q.Tables {
			tab, ok := schemas.Lookup(tn)
			if !ok {
				t.Fatalf("%s: unknown table %s", q.File, tn)
			}
			cols[tn] = true
			for _, c := range tab.Columns() {
				cols[c.Name] = true
			}
			for _, p := range tab.Partitions {
				cols[strings.ToLower(p)] = true
			}
		}
		// Aliases defined in the query (AS x, CTE names, table aliases).
		body := strLit.ReplaceAllString(strings.ToLower(q.SQL), "''")
		for _, m := range regexp.MustCompile(`\bas\s+([a-z_][a-z0-9_]*)|\b([a-z_][a-z0-9_]*)\s+as\s*\(|\b(?:from|join)\s+[a-z_]+\s+([a-z])\b`).FindAllStringSubmatch(body, -1) {
			for _, g := range m[1:] {
				if g != "" {
					cols[g] = true
				}
			}
		}
		for _, w := range ident.FindAllString(body, -1) {
			if !cols[w] && !sqlWords[w] && len(w) > 1 {
				t.Errorf("%s: %q is neither a column of %v nor SQL", q.File, w, q.Tables)
			}
		}
	}
}

func titleID(id string) string { return strings.ToUpper(id[:1]) + id[1:] }

var bucketResource = map[string]string{lifecycle.Raw: "RawBucket", lifecycle.Lake: "LakeBucket", lifecycle.Reports: "ReportsBucket"}

// The template's lifecycle rules and their parameter defaults are the code's.
func TestLifecycleRulesEqualCodeDefaults(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	res := tpl["Resources"].(map[string]any)
	inTemplate := map[string]bool{}
	for _, b := range bucketResource {
		for _, r := range get(res[b], "Properties", "LifecycleConfiguration", "Rules").([]any) {
			inTemplate[b+"/"+get(r, "Id").(string)] = true
		}
	}
	for _, rule := range lifecycle.Rules() {
		b := bucketResource[rule.Bucket]
		var found map[string]any
		for _, r := range get(res[b], "Properties", "LifecycleConfiguration", "Rules").([]any) {
			if get(r, "Id") == "seclake-"+rule.ID {
				found = r.(map[string]any)
			}
		}
		if found == nil {
			t.Errorf("%s: no lifecycle rule seclake-%s", b, rule.ID)
			continue
		}
		delete(inTemplate, b+"/seclake-"+rule.ID)
		if p := fmt.Sprint(found["Prefix"]); p != rule.Prefix {
			t.Errorf("seclake-%s: prefix %q, want %q", rule.ID, p, rule.Prefix)
		}
		T := titleID(rule.ID)
		check := func(what string, v any, days int) {
			name := ref(v)
			switch {
			case days == 0 && v == nil:
			case days == 0:
				t.Errorf("seclake-%s: %s set in the template, not in code", rule.ID, what)
			case name == "":
				t.Errorf("seclake-%s: %s = %v, want !Ref of a parameter", rule.ID, what, v)
			default:
				if d := paramDefault(t, tpl, name); d != days {
					t.Errorf("seclake-%s: %s parameter %s defaults to %d, code says %d", rule.ID, what, name, d, days)
				}
				if !strings.HasPrefix(name, T) {
					t.Errorf("seclake-%s: %s uses parameter %s", rule.ID, what, name)
				}
			}
		}
		check("ExpirationInDays", found["ExpirationInDays"], rule.ExpireDays)
		var ia, glacier any
		for _, tr := range asList(found["Transitions"]) {
			switch get(tr, "StorageClass") {
			case "STANDARD_IA":
				ia = get(tr, "TransitionInDays")
			case "GLACIER":
				glacier = get(tr, "TransitionInDays")
			default:
				t.Errorf("seclake-%s: transition to %v not in code", rule.ID, get(tr, "StorageClass"))
			}
		}
		check("STANDARD_IA transition", ia, rule.IADays)
		check("GLACIER transition", glacier, rule.GlacierDays)
	}
	for k := range inTemplate {
		t.Errorf("template rule %s has no counterpart in lifecycle.Rules()", k)
	}
	lockDays := get(res["ReportsBucket"], "Properties", "ObjectLockConfiguration", "Rule", "DefaultRetention", "Days")
	if d := paramDefault(t, tpl, ref(lockDays)); d != lifecycle.ReportsRetentionDays {
		t.Errorf("reports object lock %d days, code %d", d, lifecycle.ReportsRetentionDays)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// EventBridge Scheduler runs each state machine at exactly the local cron spec.
func TestSchedulesEqualLocalCronSpecs(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	scheds := resources(tpl, "AWS::Scheduler::Schedule")
	if len(scheds) != len(schedule.Specs()) {
		t.Errorf("%d schedules in the template, %d specs", len(scheds), len(schedule.Specs()))
	}
	for _, spec := range schedule.Specs() {
		T := titleID(spec.Job)
		r := scheds[T+"Schedule"]
		if r == nil {
			t.Errorf("no %sSchedule", T)
			continue
		}
		want, err := spec.EventBridge()
		if err != nil {
			t.Fatal(err)
		}
		if got := get(r, "Properties", "ScheduleExpression"); got != want {
			t.Errorf("%s: ScheduleExpression %v, local spec %q → %s", spec.Job, got, spec.Cron, want)
		}
		if tz := get(r, "Properties", "ScheduleExpressionTimezone"); tz != "UTC" {
			t.Errorf("%s: timezone %v", spec.Job, tz)
		}
		if target := ref(get(r, "Properties", "Target", "Arn")); target != T+"StateMachine" {
			t.Errorf("%s: target %s", spec.Job, target)
		}
		if in, _ := get(r, "Properties", "Target", "Input").(string); !strings.Contains(in, "<aws.scheduler.scheduled-time>") {
			t.Errorf("%s: input %q does not pass the scheduled time", spec.Job, in)
		}
		sm := tpl["Resources"].(map[string]any)[T+"StateMachine"]
		if loc := get(sm, "Properties", "DefinitionS3Location"); loc != "statemachines/"+spec.Job+".asl.json" {
			t.Errorf("%s: definition %v", spec.Job, loc)
		}
	}
}

// ---------------------------------------------------------------- state machines

// sampleInputs replace the JSONata expressions of ECS commands in the test.
var sampleExprs = map[string]string{
	"{% $at %}":                             "2026-11-21T11:20:00Z",
	"{% $states.input.at %}":                "2026-11-21T11:20:00Z",
	"{% $states.input.bin %}":               "plans/hourly/2026-11-21T11:20:00Z/bin-00000.json",
	"{% $states.input.source %}":            "cloudtrail",
	"{% $states.input.account %}":           "111122223333",
	"{% $states.input.region %}":            "eu-west-1",
	"{% 'plans/hourly/' & $at & '.json' %}": "plans/hourly/2026-11-21T11:20:00Z.json",
}

type aslState struct {
	Type    string
	Next    string
	End     bool
	Default string
	Choices []struct{ Next string }
	Catch   []struct {
		ErrorEquals []string
		Next        string
	}
	Retry         []struct{ ErrorEquals []string }
	Resource      string
	Arguments     json.RawMessage
	ItemReader    *struct{ Arguments map[string]any }
	ItemProcessor *aslMachine
}

type aslMachine struct {
	StartAt string
	States  map[string]aslState
}

type ecsCall struct {
	state string
	argv  []string
	raw   []any
}

// walk checks one States scope: StartAt and every Next, Default, Choice and
// Catch target exist, every state is reachable, non-terminal states go
// somewhere, every ECS task retries and catches.
func walk(t *testing.T, file, scope string, m *aslMachine, calls *[]ecsCall, readers *[]string) {
	t.Helper()
	exists := func(from, to string) {
		if _, ok := m.States[to]; !ok {
			t.Errorf("%s %s: %s → %q: no such state", file, scope, from, to)
		}
	}
	exists("StartAt", m.StartAt)
	edges := map[string][]string{}
	for name, s := range m.States {
		var next []string
		if s.Next != "" {
			next = append(next, s.Next)
		}
		if s.Default != "" {
			next = append(next, s.Default)
		}
		for _, c := range s.Choices {
			next = append(next, c.Next)
		}
		for _, c := range s.Catch {
			next = append(next, c.Next)
			if c.Next == "" {
				t.Errorf("%s %s: %s has a Catch that leads nowhere", file, scope, name)
			}
		}
		for _, n := range next {
			exists(name, n)
		}
		edges[name] = next
		terminal := s.Type == "Succeed" || s.Type == "Fail" || s.End
		if !terminal && s.Next == "" && s.Type != "Choice" {
			t.Errorf("%s %s: %s has neither Next nor End", file, scope, name)
		}
		if s.End && s.Next != "" {
			t.Errorf("%s %s: %s has both Next and End", file, scope, name)
		}
		if s.Type == "Task" && strings.HasPrefix(s.Resource, "arn:aws:states:::ecs:runTask") {
			if !strings.HasSuffix(s.Resource, ".sync") {
				t.Errorf("%s: %s does not wait for the task (.sync)", file, name)
			}
			if len(s.Retry) == 0 {
				t.Errorf("%s: %s has no Retry", file, name)
			}
			if len(s.Catch) == 0 || !slices.Contains(s.Catch[len(s.Catch)-1].ErrorEquals, "States.ALL") {
				t.Errorf("%s: %s does not catch States.ALL", file, name)
			}
			var args struct {
				Overrides struct {
					ContainerOverrides []struct {
						Name    string
						Command []any
					}
				}
			}
			if err := json.Unmarshal(s.Arguments, &args); err != nil || len(args.Overrides.ContainerOverrides) != 1 {
				t.Errorf("%s: %s: container overrides: %v", file, name, err)
				continue
			}
			co := args.Overrides.ContainerOverrides[0]
			if co.Name != "seclake" {
				t.Errorf("%s: %s overrides container %q, the task definition's is seclake", file, name, co.Name)
			}
			call := ecsCall{state: name, raw: co.Command}
			for _, a := range co.Command {
				s, ok := a.(string)
				if !ok {
					t.Errorf("%s: %s: command element %v is not a string", file, name, a)
					continue
				}
				if strings.HasPrefix(s, "{%") {
					v, ok := sampleExprs[s]
					if !ok {
						t.Errorf("%s: %s: expression %s has no sample value in the test", file, name, s)
					}
					s = v
				}
				call.argv = append(call.argv, s)
			}
			*calls = append(*calls, call)
		}
		if s.ItemReader != nil {
			k, _ := s.ItemReader.Arguments["Key"].(string)
			*readers = append(*readers, k)
		}
		if s.ItemProcessor != nil {
			walk(t, file, scope+"/"+name, s.ItemProcessor, calls, readers)
		}
	}
	// Reachability from StartAt.
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, e := range edges[n] {
			visit(e)
		}
	}
	visit(m.StartAt)
	for name := range m.States {
		if !seen[name] {
			t.Errorf("%s %s: state %s is unreachable", file, scope, name)
		}
	}
}

var substVar = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

func TestStateMachines(t *testing.T) {
	tpl := cfn(t, "seclake.yaml")
	subs := get(tpl, "Resources", "HourlyStateMachine", "Properties", "DefinitionSubstitutions").(map[string]any)
	// A lake holding the sample bin, for the convert task's dry run.
	lakeDir := t.TempDir()
	binKey := sampleExprs["{% $states.input.bin %}"]
	if err := os.MkdirAll(filepath.Dir(filepath.Join(lakeDir, binKey)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lakeDir, binKey), []byte(`[{"source":"cloudtrail","account":"111122223333","region":"eu-west-1"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "SECLAKE_LAKE" {
			return lakeDir
		}
		return ""
	}
	registered := map[string]bool{}
	for _, c := range []string{"convert", "detect", "notify", "report", "lake", "run"} {
		var errb bytes.Buffer
		a := &cli.App{Stdout: io.Discard, Stderr: &errb, Getenv: func(string) string { return "" }}
		registered[c] = a.Run(context.Background(), []string{c, "--help"}) == 0
	}
	for _, spec := range schedule.Specs() {
		file := filepath.Join("statemachines", spec.Job+".asl.json")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		used := map[string]bool{}
		text := substVar.ReplaceAllStringFunc(string(data), func(m string) string {
			name := substVar.FindStringSubmatch(m)[1]
			used[name] = true
			if _, ok := subs[name]; !ok {
				t.Errorf("%s: ${%s} is not in DefinitionSubstitutions", file, name)
			}
			return "7"
		})
		var m aslMachine
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var calls []ecsCall
		var readers []string
		walk(t, file, "", &m, &calls, &readers)

		steps := map[string]bool{}
		planned := ""
		for _, c := range calls {
			if len(c.argv) < 2 || c.argv[0] != "run" || c.argv[1] != spec.Job {
				t.Errorf("%s: %s runs %q, want `run %s …`", file, c.state, c.argv, spec.Job)
				continue
			}
			// The binary accepts the command line (flags parsed up to --help).
			var errb bytes.Buffer
			a := &cli.App{Stdout: io.Discard, Stderr: &errb, Getenv: func(string) string { return "" }}
			if code := a.Run(context.Background(), append(slices.Clone(c.argv), "--help")); code != 0 {
				t.Errorf("%s: %s: `seclake %s --help` exit %d: %s", file, c.state, strings.Join(c.argv, " "), code, errb.String())
			}
			if i := slices.Index(c.argv, "--plan-out"); i >= 0 {
				planned = c.raw[i+1].(string)
			}
			i := slices.Index(c.argv, "--step")
			if i < 0 {
				if slices.Contains(c.argv, "--plan-out") {
					steps["plan"] = true
				} else {
					t.Errorf("%s: %s runs the whole job; each state runs one --step", file, c.state)
				}
				continue
			}
			step, err := schedule.LookupStep(spec.Job, c.argv[i+1])
			if err != nil {
				t.Errorf("%s: %s: %v", file, c.state, err)
				continue
			}
			steps[step.Name] = true
			// With every command of the step present, its expansion passes a dry run.
			if registered[step.Command] {
				errb.Reset()
				var out bytes.Buffer
				a := &cli.App{Stdout: &out, Stderr: &errb, Getenv: env}
				if code := a.Run(context.Background(), append(slices.Clone(c.argv), "--dry-run")); code != 0 {
					t.Errorf("%s: %s: dry run exit %d: %s", file, c.state, code, errb.String())
				} else if !strings.Contains(out.String(), "seclake "+step.Command) {
					t.Errorf("%s: %s: dry run printed %q", file, c.state, out.String())
				}
			} else {
				t.Logf("%s: %s: `seclake %s` is not in this build yet: flags of run checked, dry run skipped", file, c.state, step.Command)
			}
		}
		for _, s := range schedule.Steps(spec.Job) {
			if !steps[s.Name] {
				t.Errorf("%s: step %s of the %s job is never run", file, s.Name, spec.Job)
			}
		}
		if spec.Job == schedule.Hourly {
			if !steps["plan"] || len(readers) != 1 || readers[0] != planned {
				t.Errorf("%s: the Distributed Map reads %q, the plan task writes %q", file, readers, planned)
			}
		}
		var unused []string
		for k := range subs {
			if !used[k] {
				unused = append(unused, k)
			}
		}
		sort.Strings(unused)
		t.Logf("%s: substitutions not used here: %v", file, unused)
	}
}

// cfn-lint: run here too, so `go test ./infra` alone catches template errors.
// make test sets SECLAKE_REQUIRE_CFNLINT=1: a missing cfn-lint fails there.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("SECLAKE_REQUIRE_CFNLINT") == "1" {
			t.Fatal("cfn-lint not found (pip install cfn-lint)")
		}
		t.Skip("cfn-lint not installed")
	}
	out, err := exec.Command(bin, "seclake.yaml", "glue.yaml").CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}

// The image is built with the same tags as make, runs as the task
// definition's user, and installs no DuckDB extensions.
func TestDockerfileMatchesTaskDefinition(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	tags := regexp.MustCompile(`(?m)^TAGS\s*:=\s*(\S+)`).FindStringSubmatch(string(mk))
	if tags == nil || !strings.Contains(df, "-tags "+tags[1]) {
		t.Errorf("Dockerfile does not build with the Makefile's tags %v", tags)
	}
	tpl := cfn(t, "seclake.yaml")
	c := asList(get(tpl, "Resources", "TaskDefinition", "Properties", "ContainerDefinitions"))[0]
	if user := fmt.Sprint(get(c, "User")); !strings.Contains(df, "USER "+user) {
		t.Errorf("task definition user %s, Dockerfile %q", user, regexp.MustCompile(`USER .*`).FindString(df))
	}
	if strings.Contains(strings.ToUpper(df), "INSTALL ") {
		t.Error("the image must not install DuckDB extensions")
	}
}
