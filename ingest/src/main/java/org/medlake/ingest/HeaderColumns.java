package org.medlake.ingest;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/** Java values into what Spark rows hold. */
final class HeaderColumns {
    private HeaderColumns() {}

    /** Java value to the external type Spark expects in a {@code Row}. */
    static Object toSpark(Object v) {
        if (v instanceof LocalDate d) {
            return java.sql.Date.valueOf(d);
        }
        if (v instanceof java.time.Instant i) {
            return java.sql.Timestamp.from(i);
        }
        if (v instanceof LocalDateTime t) {
            return java.sql.Timestamp.valueOf(t);
        }
        if (v instanceof List<?> list) {
            return scala.jdk.javaapi.CollectionConverters.asScala(list.stream().map(HeaderColumns::toSpark).toList()).toSeq();
        }
        return v;
    }
}
