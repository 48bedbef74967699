# Included from tests/CMakeLists.txt: one ctest per CI experiment in this folder,
#   carbonedge regress experiments/ci/<stem>.yaml --baseline experiments/ci/<stem>.baseline.json
# which fails (exit 1, table of moved metrics) when a tracked metric left its tolerance.
file(GLOB CE_CI_EXPERIMENTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.yaml)
foreach(ce_ci_exp ${CE_CI_EXPERIMENTS})
  get_filename_component(ce_ci_stem ${ce_ci_exp} NAME_WE)
  add_test(NAME regress.ci.${ce_ci_stem}
           COMMAND carbonedge regress ${ce_ci_exp} --baseline ${CMAKE_CURRENT_LIST_DIR}/${ce_ci_stem}.baseline.json)
  set_tests_properties(regress.ci.${ce_ci_stem} PROPERTIES TIMEOUT 300 LABELS regress)
endforeach()
