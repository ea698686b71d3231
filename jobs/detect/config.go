package detect

import (
	"context"
	"sort"

	"github.com/seclake/seclake/internal/config"
)

// Config is the detect section of the configuration file (internal/config).
type Config = config.Detect

// Thresholds are the limits of one account type.
type Thresholds = config.DetectThresholds

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return config.DefaultDetect() }

// loadConfigTables gives the SQL the account types and their thresholds.
func (r *runner) loadConfigTables(ctx context.Context) error {
	c := r.o.Config
	if err := r.eng.Exec(ctx, `CREATE OR REPLACE TEMP TABLE thresholds (account_type VARCHAR, modified_z DOUBLE, z DOUBLE, min_observed DOUBLE, session_score DOUBLE, is_default BOOLEAN);
		CREATE OR REPLACE TEMP TABLE account_types (account_id VARCHAR, account_type VARCHAR);
		CREATE OR REPLACE TEMP TABLE detect_settings (min_history BIGINT);`); err != nil {
		return err
	}
	if err := r.eng.Exec(ctx, `INSERT INTO detect_settings VALUES (?)`, c.MinHistoryHours); err != nil {
		return err
	}
	types := make([]string, 0, len(c.Thresholds))
	for k := range c.Thresholds {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, k := range types {
		t := c.Thresholds[k]
		if err := r.eng.Exec(ctx, `INSERT INTO thresholds VALUES (?, ?, ?, ?, ?, ?)`, k, t.ModifiedZ, t.Z, t.MinObserved, t.SessionScore, k == c.DefaultAccountType); err != nil {
			return err
		}
	}
	ids := make([]string, 0, len(r.o.AccountTypes))
	for id := range r.o.AccountTypes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := r.eng.Exec(ctx, `INSERT INTO account_types VALUES (?, ?)`, id, r.o.AccountTypes[id]); err != nil {
			return err
		}
	}
	// th(account_id) → the thresholds row of an account (default type when unknown).
	return r.eng.Exec(ctx, `CREATE OR REPLACE TEMP MACRO acct_type(a) AS coalesce((SELECT account_type FROM account_types WHERE account_id = a), (SELECT account_type FROM thresholds WHERE is_default))`)
}
