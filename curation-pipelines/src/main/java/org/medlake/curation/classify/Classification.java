package org.medlake.curation.classify;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The classification of one series. Immutable.
 *
 * <p>{@code seriesType} is upper case: for MR one of T1W, T2W, FLAIR, PD, DWI, ADC, BOLD, PERFUSION, FIELDMAP, SWI,
 * LOCALIZER, OTHER; for CT LOCALIZER, LOW_DOSE, STANDARD_DOSE or OTHER (the dose class is the CT series type because it
 * decides what a CT series can be used for); for projection radiography (CR, DX, XR, MG) the projection (PA, AP, LAT,
 * OBLIQUE, CC, MLO ...); OTHER otherwise. The other CT axes are in {@code attributes}: {@code dose}
 * (LOW/STANDARD), {@code contrast} (CONTRAST/NON_CONTRAST) and {@code body_region} (HEAD, CHEST, ...); an axis the rules
 * define for the modality but could not decide is UNKNOWN. {@code confidence} is within 0..1; {@code evidence} lists
 * the reasons, strongest first; {@code rulesVersion} is the version of the rules used.
 */
public record Classification(String seriesInstanceUid, String modality, String seriesType, double confidence,
                             List<String> evidence, Map<String, String> attributes, String rulesVersion) {
    public Classification {
        Objects.requireNonNull(seriesType, "seriesType");
        Objects.requireNonNull(rulesVersion, "rulesVersion");
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be within 0..1, got " + confidence);
        }
        evidence = List.copyOf(evidence);
        attributes = Collections.unmodifiableMap(new TreeMap<>(attributes));
    }
}
