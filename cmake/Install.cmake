# Installation: the tools (apps/CMakeLists.txt), the public headers, the
# static and shared libraries (libsrc/CMakeLists.txt) and the CMake package
# find_package(qidcm) with qidcm::qidcm (shared) and qidcm::qidcm_static.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/qidcm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${QIDCM_VERSION_HEADER} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/qidcm)

set(QIDCM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/qidcm)
if(TARGET qidcm_shared)
  install(EXPORT qidcmTargets NAMESPACE qidcm:: DESTINATION ${QIDCM_CMAKE_DIR})
endif()
install(EXPORT qidcmStaticTargets NAMESPACE qidcm:: DESTINATION ${QIDCM_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/qidcmConfig.cmake.in
  ${CMAKE_BINARY_DIR}/qidcmConfig.cmake INSTALL_DESTINATION ${QIDCM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/qidcmConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/qidcmConfig.cmake ${CMAKE_BINARY_DIR}/qidcmConfigVersion.cmake
        DESTINATION ${QIDCM_CMAKE_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/doc/library.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
