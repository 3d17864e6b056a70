"""What a reader calls each of the abstract's claims: the label shown instead of its id.

Ids (``n_bcell_depleted_by_day1``) are for machines: claims.json and the CSV
downloads.  Every view a reader sees (heat map rows and tooltips, lists of
claims in prose, the alternatives table) names a claim by its label here, set on
the catalogue's claims in ``published``; the ledger shows the full statement.
"""

#: What a reader calls each claim (short, unique, no definition values: those are in the statement).
LABELS = {
    "n_patients": "Patients treated",
    "n_female": "Women",
    "n_male": "Men",
    "age_median": "Age, median",
    "age_min": "Age, minimum",
    "age_max": "Age, maximum",
    "disease_duration_median": "Disease duration, median",
    "disease_duration_min": "Disease duration, minimum",
    "disease_duration_max": "Disease duration, maximum",
    "n_sledai_baseline_ge_10": "Baseline SLEDAI-2K ≥ 10",
    "n_prior_lines_ge_2": "≥ 2 prior therapy lines",
    "follow_up_median": "Follow-up, median",
    "follow_up_min": "Follow-up, minimum",
    "follow_up_max": "Follow-up, maximum",
    "car_t_peak_median": "Peak CAR+ T cells, median",
    "car_t_peak_day_median": "Day of the CAR+ T cell peak, median",
    "car_t_peak_day_min": "Day of the CAR+ T cell peak, minimum",
    "car_t_peak_day_max": "Day of the CAR+ T cell peak, maximum",
    "n_bcell_depleted_by_day1": "B cells depleted by day 1",
    "n_bcell_depleted_by_day4": "B cells depleted by day 4",
    "sledai_baseline_median": "SLEDAI-2K at baseline, median",
    "sledai_baseline_min": "SLEDAI-2K at baseline, minimum",
    "sledai_baseline_max": "SLEDAI-2K at baseline, maximum",
    "sledai_m1_median": "SLEDAI-2K at month 1, median",
    "sledai_m1_min": "SLEDAI-2K at month 1, minimum",
    "sledai_m1_max": "SLEDAI-2K at month 1, maximum",
    "sledai_m3_median": "SLEDAI-2K at month 3, median",
    "sledai_m3_min": "SLEDAI-2K at month 3, minimum",
    "sledai_m3_max": "SLEDAI-2K at month 3, maximum",
    "sledai_m3_p_value": "SLEDAI-2K change to month 3, p-value",
    "n_renal_complete": "Complete renal response",
    "n_renal_partial": "Partial renal response",
    "n_renal_no_response": "No renal response",
    "renal_response_rate": "Renal response rate",
    "n_dsdna_negative": "Anti-dsDNA turned negative",
    "n_complement_normal_by_day60": "C3 and C4 back to normal",
    "n_crs_grade1": "CRS, worst grade 1",
    "n_crs_grade2_plus": "CRS grade 2 or higher",
    "n_icans": "ICANS, any grade",
}
