package org.medlake.ingest;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medlake.dicom.InstanceHeader;

/** Turns a parsed header into {@code instances} column values, and Java values into what Spark rows hold. */
final class HeaderColumns {
    private HeaderColumns() {}

    /** The header's typed columns and its DICOM JSON, by column name. The returned map is mutable. */
    static Map<String, Object> of(InstanceHeader h) {
        Map<String, Object> out = new LinkedHashMap<>(h.toColumns());
        out.put(InstanceHeader.HEADER_JSON, h.headerJson());
        return out;
    }

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
