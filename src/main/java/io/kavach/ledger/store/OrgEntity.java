package io.kavach.ledger.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A tenant. Created the first time an org's credentials write anything. */
@Entity
@Table(name = "org")
public class OrgEntity extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
}
