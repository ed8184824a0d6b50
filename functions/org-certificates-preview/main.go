// Command org-certificates-preview is the Lambda function of the portal route "org-certificates-preview".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-certificates-preview") }
