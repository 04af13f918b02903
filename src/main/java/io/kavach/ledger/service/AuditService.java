package io.kavach.ledger.service;

import io.kavach.ledger.ledger.AuditReport;
import io.kavach.ledger.ledger.store.AuditStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Runs the ledger audit for one org and logs any drift loudly: drift is always a bug. */
@ApplicationScoped
public class AuditService {

    private static final Logger LOG = Logger.getLogger(AuditService.class);

    @Inject
    AuditStore store;

    public AuditReport audit(String orgId) {
        AuditReport report = store.audit(orgId);
        if (!report.drift().isEmpty()) {
            LOG.errorf("ledger drift in org %s: %s", orgId, report.drift());
        }
        return report;
    }
}
