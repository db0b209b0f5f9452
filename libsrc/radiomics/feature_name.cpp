#include "radiomics/feature_name.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "radiomics/features_input.h"

namespace qidcm::radiomics {
namespace {

bool allOf(const std::string& s, const char* letters) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::strchr(letters, c)) return false;
  return true;
}

bool digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "log-sigma-3-0-mm-3D" -> 3.0, "log-sigma-3-mm-3D" -> 3, "log-sigma-0-5-mm-2D" -> 0.5.
std::optional<double> logSigma(const std::string& type) {
  const std::string prefix = "log-sigma-";
  if (type.rfind(prefix, 0) != 0) return std::nullopt;
  const std::size_t mm = type.find("-mm-", prefix.size());
  if (mm == std::string::npos) return std::nullopt;
  const std::string dims = type.substr(mm + 4);
  if (dims != "3D" && dims != "2D") return std::nullopt;
  std::string number = type.substr(prefix.size(), mm - prefix.size());
  const std::size_t dash = number.find('-');
  if (dash != std::string::npos) number[dash] = '.';
  const std::string whole = number.substr(0, number.find('.'));
  const std::string fraction = dash == std::string::npos ? "0" : number.substr(dash + 1);
  if (!digits(whole) || !digits(fraction)) return std::nullopt;
  return std::strtod(number.c_str(), nullptr);
}

bool imageType(const std::string& type, FeatureName& n) {
  static const std::pair<const char*, const char*> simple[] = {
      {"original", "Original"},     {"square", "Square"},           {"squareroot", "SquareRoot"},
      {"logarithm", "Logarithm"},   {"exponential", "Exponential"}, {"gradient", "Gradient"}};
  for (const auto& [name, key] : simple)
    if (type == name) {
      n.family = name;
      n.settingsKey = key;
      return true;
    }
  if (type.rfind("wavelet", 0) == 0) {
    const std::size_t dash = type.find('-');
    if (dash == std::string::npos) return false;
    const std::string level = type.substr(7, dash - 7);
    if (!level.empty() && !digits(level)) return false;
    n.band = type.substr(dash + 1);
    if (!allOf(n.band, "LH") || (n.band.size() != 2 && n.band.size() != 3)) return false;
    n.waveletLevel = level.empty() ? 1 : std::atoi(level.c_str());
    n.family = "wavelet";
    n.settingsKey = "Wavelet";
    return true;
  }
  if ((n.sigma = logSigma(type))) {
    n.family = "log";
    n.settingsKey = "LoG";
    return true;
  }
  if (type == "lbp-2D") {
    n.family = "lbp-2D";
    n.settingsKey = "LBP2D";
    return true;
  }
  const std::string lbp3 = "lbp-3D-";
  if (type.rfind(lbp3, 0) == 0) {
    n.lbpOutput = type.substr(lbp3.size());
    if (!(n.lbpOutput == "k" || (n.lbpOutput.size() > 1 && n.lbpOutput[0] == 'm' && digits(n.lbpOutput.substr(1)))))
      return false;
    n.family = "lbp-3D";
    n.settingsKey = "LBP3D";
    return true;
  }
  return false;
}

}  // namespace

std::optional<FeatureName> parseFeatureName(const std::string& column) {
  if (!isFeatureColumn(column)) return std::nullopt;
  FeatureName n;
  const std::size_t first = column.find('_'), second = column.find('_', first + 1);
  n.imageType = column.substr(0, first);
  n.featureClass = column.substr(first + 1, second - first - 1);
  n.feature = column.substr(second + 1);
  if (!imageType(n.imageType, n)) return std::nullopt;
  return n;
}

}  // namespace qidcm::radiomics
