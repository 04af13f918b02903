package io.kavach.ledger.service;

import io.kavach.ledger.core.AuditReport;
import io.kavach.ledger.store.AuditStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Runs the ledger audit for one org and logs any drift loudly: drift is always a bug. */
@ApplicationScoped
public class AuditService {

    private static final Logger LOG = Logger.getLogger(AuditService.class);

    @Inject
    AuditStore store;
    @Inject
    OrgLimits limits;

    /** Refused ({@code OrgLimitReached}) while the org already has its concurrent audits running. */
    public AuditReport audit(String orgId) {
        AuditReport report = store.audit(orgId, limits.concurrentAuditsPerOrg());
        if (!report.drift().isEmpty()) {
            LOG.errorf("ledger drift in org %s: %s", orgId, report.drift());
        }
        return report;
    }
}
