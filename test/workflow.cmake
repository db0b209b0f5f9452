# Batch workflow (workflow/: Snakefile, SLURM profile, qidcm-batch) end-to-end cases.
# Included at the end of test/CMakeLists.txt (QIDCM_PYTHON, QIDCM_E2E_ARGS). Needs
# Debian's snakemake and dicom3tools; a missing snakemake fails the tests.
qidcm_add_case_tests(workflow_cases.py workflow "e2e;workflow" TIMEOUT 600)

