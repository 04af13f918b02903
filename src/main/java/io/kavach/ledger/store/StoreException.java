package io.kavach.ledger.store;

import java.sql.SQLException;

/** A database failure below the service layer; the cause carries the SQLState. */
public class StoreException extends RuntimeException {

    public StoreException(String message, SQLException cause) {
        super(message, cause);
    }

    public SQLException sqlCause() {
        return (SQLException) getCause();
    }
}
