// Command org-requests is the Lambda function of the portal route "org-requests".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-requests") }
