// Command org-audit is the Lambda function of the portal route "org-audit".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-audit") }
