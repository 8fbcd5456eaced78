"""One valid, synthetic input per calculator: for help texts, form defaults, benchmarks and tests.

Synthetic values only; no patient data.
"""

from types import MappingProxyType

CALCULATOR_EXAMPLES = MappingProxyType({
    "who_gep_grade": {"differentiation": "well", "ki67_percent": 4.5, "mitoses_per_2mm2": 1.0},
    "ki67_index": {"positive_cells": 27, "total_cells": 900},
    "lung_carcinoid": {"morphology": "carcinoid", "mitoses_per_2mm2": 3.0, "necrosis": "absent",
                       "tumour_size_mm": 18.0},
    "gastric_net_type": {"gastrin_elevated": True, "atrophic_gastritis": True},
    "tumour_growth_rate": {"sum_diameters_baseline_mm": 62.0, "sum_diameters_current_mm": 66.0,
                           "interval_months": 3.0},
    "doubling_time": {"sum_diameters_baseline_mm": 62.0, "sum_diameters_current_mm": 66.0, "interval_months": 3.0},
    "recist_response": {"baseline_sum_mm": 80.0, "nadir_sum_mm": 60.0, "current_sum_mm": 74.0,
                        "target_lesions_disappeared": False, "new_lesions": False,
                        "non_target_status": "non_cr_non_pd"},
    "krenning_score": {"krenning_score": 3, "modality": "sstr_pet"},
    "netpet_score": {"sstr_avid_disease": True, "fdg_avid_disease": True,
                     "fdg_avid_lesion_without_sstr_uptake": False, "fdg_versus_sstr_uptake": "lower"},
    "cockcroft_gault": {"age_years": 64, "weight_kg": 72.0, "sex": "female", "creatinine_mg_dl": 1.1},
    "ckd_epi_2021": {"age_years": 64, "sex": "female", "creatinine_mg_dl": 1.1},
    "urine_creatinine_clearance": {"urine_creatinine_mg_dl": 90.0, "urine_volume_ml": 1500.0,
                                   "creatinine_mg_dl": 1.1, "collection_hours": 24.0},
    "prrt_eligibility": {"differentiation": "well", "ki67_percent": 8.0, "krenning_score": 3,
                         "sstr_modality": "sstr_pet", "karnofsky_percent": 80, "creatinine_clearance_ml_min": 62.0,
                         "creatinine_mg_dl": 1.1, "haemoglobin_g_dl": 12.1, "wbc_10e9_l": 5.4,
                         "platelets_10e9_l": 210.0, "bilirubin_x_uln": 0.8, "albumin_g_dl": 3.9,
                         "prothrombin_time_normal": True},
    "tnm_stage": {"site": "pancreas", "tumour_size_cm": 2.6, "invasion": "confined_to_pancreas",
                  "n_category": "N0", "m_category": "M0"},
    "milan_net": {"grade": "G1", "primary_portal_drained": True, "primary_resected": True,
                  "liver_involvement_percent": 30.0, "extrahepatic_disease": False, "stable_disease_months": 9.0,
                  "age_years": 52},
    "crs_grade": {"temperature_c": 38.6, "antipyretic_or_anticytokine_given": False, "hypotension": True,
                  "vasopressors_excluding_vasopressin": 0, "vasopressin": False,
                  "oxygen_support": "low_flow_nasal_cannula", "oxygen_flow_l_min": 2.0},
    "ice_score": {"orientation_points": 3, "naming_points": 3, "commands_points": 1, "writing_points": 0,
                  "attention_points": 1},
    "icans_grade": {"age_years": 58, "ice_score": 8, "consciousness": "awakens_spontaneously",
                    "seizure": "none", "motor_weakness": False, "cerebral_oedema": "none"},
    "capd_score": {"eye_contact": "often", "purposeful_actions": "often", "aware_of_surroundings": "sometimes",
                   "communicates_needs": "often", "restless": "rarely", "inconsolable": "never",
                   "underactive": "sometimes", "slow_to_respond": "rarely"},
})

# Synthetic patients for the decision algorithm (also used by the book and the reports).
PATIENT_EXAMPLES = MappingProxyType({
    "localised-pancreatic-g1": {
        "primary_site": "pancreas", "differentiation": "well", "ki67_percent": 1.5, "extent": "localised",
        "tumour_size_cm": 1.4, "functioning_syndrome": "none", "resectable": True, "sstr_imaging": "pet",
        "krenning_score": 3, "disease_status": "newly_diagnosed"},
    "metastatic-midgut-g1-low-burden": {
        "primary_site": "small_intestine", "differentiation": "well", "ki67_percent": 1.0, "extent": "metastatic",
        "resectable": False, "sstr_imaging": "pet", "krenning_score": 4, "tumour_burden": "low",
        "functioning_syndrome": "none", "disease_status": "newly_diagnosed"},
    "progressive-midgut-on-ssa": {
        "primary_site": "small_intestine", "differentiation": "well", "ki67_percent": 6.0,
        "extent": "metastatic", "resectable": False, "sstr_imaging": "pet", "krenning_score": 4,
        "tumour_burden": "high", "functioning_syndrome": "none", "disease_status": "progressive", "prior_ssa": "progressed",
        "karnofsky_percent": 90, "age_years": 62, "sex": "male", "weight_kg": 80, "creatinine_mg_dl": 0.9,
        "haemoglobin_g_dl": 13.2, "wbc_10e9_l": 6.1, "platelets_10e9_l": 240, "bilirubin_x_uln": 0.6,
        "albumin_g_dl": 4.1, "prothrombin_time_normal": True},
    "progressive-pancreatic-g2": {
        "primary_site": "pancreas", "differentiation": "well", "ki67_percent": 12.0, "extent": "metastatic",
        "resectable": False, "sstr_imaging": "pet", "krenning_score": 2, "tumour_burden": "high",
        "functioning_syndrome": "none", "disease_status": "progressive", "prior_ssa": "progressed"},
})
