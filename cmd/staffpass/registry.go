package main

import (
	"os"

	"github.com/spf13/pflag"

	"github.com/staffpass/staffpass/issuer"
	// The registry's two stores: an SQLite file (the default) and PostgreSQL.
	_ "github.com/staffpass/staffpass/registry/postgres"
	_ "github.com/staffpass/staffpass/registry/sqlite"
)

// registryEnv names the PostgreSQL URL of an organisation's registry when
// --registry is not given: a URL may hold a password, which a flag shows to
// every user of the machine (ps) and an environment variable does not.
const registryEnv = "STAFFPASS_REGISTRY"

const registryUsage = "the organisation's registry in PostgreSQL, as a URL postgres://user@host/db (default $" + registryEnv + "; none: the file in --org)"

// addRegistryFlag adds --registry to a command that opens an
// organisation's registry.
func addRegistryFlag(f *pflag.FlagSet, p *string) {
	f.StringVar(p, "registry", "", registryUsage)
}

// openOrganisation reads the organisation set-up in dir and names its
// registry's URL: the flag's, or else the environment's.
func openOrganisation(dir, registryURL string) (*issuer.Organisation, error) {
	o, err := issuer.OpenOrganisation(dir)
	if err != nil {
		return nil, err
	}
	if registryURL == "" && o.Registry == issuer.RegistryPostgres {
		registryURL = os.Getenv(registryEnv)
	}
	o.RegistryURL = registryURL
	return o, nil
}
