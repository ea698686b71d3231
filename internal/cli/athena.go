package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/seclake/seclake/schemas"
)

func runAthena(ctx context.Context, a *App, args []string) error {
	if len(args) == 0 || args[0] != "ddl" {
		return usageErr("usage: seclake athena ddl --location s3://bucket/prefix --accounts a,b --regions r1,r2 [--database seclake]")
	}
	fs := newFlagSet(a, "athena ddl", "athena ddl --location s3://bucket/prefix --accounts 111122223333,… --regions us-east-1,… [--database seclake]")
	loc := fs.String("location", "", "the lake's S3 location (s3://bucket/prefix)")
	fs.StringVar(loc, "lake", "", "same as --location")
	accounts := fs.String("accounts", "", "comma-separated account ids for partition projection")
	regions := fs.String("regions", "", "comma-separated regions for partition projection")
	db := fs.String("database", "seclake", "Glue database name")
	first := fs.String("first-day", "20200101", "first eventDay (YYYYMMDD) for partition projection")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !strings.HasPrefix(*loc, "s3://") {
		return usageErr("--location must be s3://bucket/prefix, got %q", *loc)
	}
	if *accounts == "" || *regions == "" {
		return usageErr("--accounts and --regions are required (Athena partition projection enumerates them)")
	}
	opts := schemas.DDLOptions{Database: *db, Location: strings.TrimSuffix(*loc, "/"), Accounts: splitList(*accounts), Regions: splitList(*regions), FromDay: *first}
	fmt.Fprintf(a.Stdout, "CREATE DATABASE IF NOT EXISTS `%s`;\n\n", *db)
	for _, t := range schemas.Tables() {
		fmt.Fprintln(a.Stdout, t.DDL(opts))
	}
	fmt.Fprintf(a.Stdout, "CREATE OR REPLACE VIEW \"%s\".\"entities\" AS\n%s;\n", *db, schemas.EntitiesView("athena", *db))
	return nil
}
