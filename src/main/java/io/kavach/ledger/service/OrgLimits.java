package io.kavach.ledger.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The configured per-org caps ({@code kavach.limits.*}); why each exists is in docs/security.md. */
@ConfigMapping(prefix = "kavach.limits")
public interface OrgLimits {

    /** Agents per org. */
    @WithDefault("10000")
    int agentsPerOrg();

    /** Live shared pools per org. */
    @WithDefault("1000")
    int poolsPerOrg();

    /** Live shared pools one agent may be a member of. */
    @WithDefault("100")
    int poolsPerAgent();

    /** Audits of one org running at once, across all instances. */
    @WithDefault("1")
    int concurrentAuditsPerOrg();
}
